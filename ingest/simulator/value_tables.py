"""The data behind raw lead values: names, streets, cities with their zip prefixes and area
codes, foreign addresses, email domains, genders and the vertical fields' answers.
"""

from __future__ import annotations

FIRST_NAMES = (
    "Maria",
    "James",
    "John",
    "Robert",
    "Michael",
    "William",
    "David",
    "Richard",
    "Joseph",
    "Thomas",
    "Christopher",
    "Daniel",
    "Matthew",
    "Anthony",
    "Mark",
    "Steven",
    "Paul",
    "Andrew",
    "Joshua",
    "Kevin",
    "Brian",
    "Jose",
    "Luis",
    "Carlos",
    "Juan",
    "Mary",
    "Patricia",
    "Jennifer",
    "Linda",
    "Elizabeth",
    "Barbara",
    "Susan",
    "Jessica",
    "Sarah",
    "Karen",
    "Lisa",
    "Nancy",
    "Betty",
    "Sandra",
    "Ashley",
    "Emily",
    "Donna",
    "Michelle",
    "Carol",
    "Amanda",
    "Melissa",
    "Deborah",
    "Stephanie",
    "Rebecca",
    "Laura",
    "Ana",
    "Sofia",
    "Camila",
    "Valeria",
    "Aaliyah",
    "Jamal",
    "DeShawn",
    "Wei",
    "Priya",
    "Nguyen",
    "Kenji",
    "Olivia",
    "Liam",
    "Noah",
    "Emma",
)
# fmt: on
# fmt: off
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera",
    "Campbell", "Mitchell", "Carter", "Roberts", "O'Brien", "McDonald", "De La Cruz", "Patel",
    "Kim", "Chen", "Washington", "Okafor", "Schmidt", "Kowalski",
)
# fmt: on
# fmt: off
STREETS = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Sunset",
    "Lamar", "Guadalupe", "Congress", "Riverside", "Highland", "Meadow", "Forest", "Willow",
    "Church", "Mill", "Spring", "Ridge", "Valley", "Jefferson", "Lincoln", "Madison",
)
# fmt: on
STREET_SUFFIXES = ("St", "Ave", "Rd", "Dr", "Ln", "Blvd", "Ct", "Way", "Street", "Avenue", "Pkwy")

# (city, state, zip prefix, area codes, weight)
# fmt: off
CITIES = (
    ("Austin", "TX", "787", ("512", "737"), 3.0),
    ("Dallas", "TX", "752", ("214", "469", "972"), 4.0),
    ("Houston", "TX", "770", ("713", "281", "832"), 5.0),
    ("San Antonio", "TX", "782", ("210", "726"), 3.0),
    ("Fort Worth", "TX", "761", ("817", "682"), 2.0), ("El Paso", "TX", "799", ("915",), 1.0),
    ("Los Angeles", "CA", "900", ("213", "323", "310"), 6.0),
    ("San Diego", "CA", "921", ("619", "858"), 2.5), ("Sacramento", "CA", "958", ("916",), 1.5),
    ("San Jose", "CA", "951", ("408", "669"), 1.5),
    ("Phoenix", "AZ", "850", ("602", "480", "623"), 3.0), ("Tucson", "AZ", "857", ("520",), 1.0),
    ("Las Vegas", "NV", "891", ("702", "725"), 2.0), ("Denver", "CO", "802", ("303", "720"), 2.0),
    ("Miami", "FL", "331", ("305", "786"), 3.0), ("Orlando", "FL", "328", ("407", "321"), 2.0),
    ("Tampa", "FL", "336", ("813",), 2.0), ("Jacksonville", "FL", "322", ("904",), 1.5),
    ("Newark", "NJ", "071", ("973", "862"), 1.5), ("Trenton", "NJ", "086", ("609",), 1.0),
    ("New York", "NY", "100", ("212", "646", "917"), 5.0), ("Buffalo", "NY", "142", ("716",), 1.0),
    ("Boston", "MA", "021", ("617", "857"), 2.0),
    ("Chicago", "IL", "606", ("312", "773", "872"), 4.0),
    ("Atlanta", "GA", "303", ("404", "470", "678"), 3.0),
    ("Charlotte", "NC", "282", ("704", "980"), 2.0), ("Raleigh", "NC", "276", ("919", "984"), 1.5),
    ("Columbus", "OH", "432", ("614",), 1.5), ("Cleveland", "OH", "441", ("216",), 1.0),
    ("Detroit", "MI", "482", ("313",), 1.5), ("Philadelphia", "PA", "191", ("215", "267"), 2.5),
    ("Pittsburgh", "PA", "152", ("412",), 1.0), ("Nashville", "TN", "372", ("615",), 1.5),
    ("Memphis", "TN", "381", ("901",), 1.0), ("Seattle", "WA", "981", ("206",), 2.0),
    ("Portland", "OR", "972", ("503", "971"), 1.5), ("Minneapolis", "MN", "554", ("612",), 1.5),
    ("St. Louis", "MO", "631", ("314",), 1.0), ("Kansas City", "MO", "641", ("816",), 1.0),
    ("Indianapolis", "IN", "462", ("317",), 1.5), ("Baltimore", "MD", "212", ("410", "443"), 1.5),
    ("Washington", "DC", "200", ("202",), 1.0), ("Richmond", "VA", "232", ("804",), 1.0),
    ("New Orleans", "LA", "701", ("504",), 1.0), ("Oklahoma City", "OK", "731", ("405",), 1.0),
    ("Salt Lake City", "UT", "841", ("801", "385"), 1.0),
    ("Albuquerque", "NM", "871", ("505",), 0.8), ("Birmingham", "AL", "352", ("205",), 0.8),
    ("Louisville", "KY", "402", ("502",), 0.8), ("Milwaukee", "WI", "532", ("414",), 0.8),
)
# fmt: on
# fmt: off
STATE_NAMES = {
    "TX": "Texas", "CA": "California", "AZ": "Arizona", "NV": "Nevada", "CO": "Colorado",
    "FL": "Florida", "NJ": "New Jersey", "NY": "New York", "MA": "Massachusetts", "IL": "Illinois",
    "GA": "Georgia", "NC": "North Carolina", "OH": "Ohio", "MI": "Michigan", "PA": "Pennsylvania",
    "TN": "Tennessee", "WA": "Washington", "OR": "Oregon", "MN": "Minnesota", "MO": "Missouri",
    "IN": "Indiana", "MD": "Maryland", "DC": "District of Columbia", "VA": "Virginia",
    "LA": "Louisiana", "OK": "Oklahoma", "UT": "Utah", "NM": "New Mexico", "AL": "Alabama",
    "KY": "Kentucky", "WI": "Wisconsin", "ON": "Ontario", "BC": "British Columbia",
}
# fmt: on

# International: (city, state as posted, postal codes, phone formats)
# fmt: off
CANADA = (
    ("Toronto", "ON", ("M5V 2T6", "M4C 1B5", "m6g3a9", "M5H2N2"), "416"),
    ("Vancouver", "BC", ("V6B 4Y8", "v5k 0a1", "V6E1M7"), "604"),
    ("Ottawa", "Ontario", ("K1A 0B1", "K2P 1L4"), "613"),
)
# fmt: on
# fmt: off
BRITAIN = (
    ("London", "London", ("SW1A 1AA", "EC1A 1BB", "W1A 0AX", "sw1a 2aa"), "+44 20 7946 0{:03d}"),
    ("Manchester", "Greater Manchester", ("M1 1AE", "M60 2LA"), "+44 161 496 0{:03d}"),
    ("London", "England", ("CR2 6XH", "E14 5AB"), "011 44 20 7946 0{:03d}"),
)
# fmt: on

# fmt: off
FREE_DOMAINS = (
    "gmail.com", "yahoo.com", "hotmail.com", "aol.com", "outlook.com", "icloud.com", "live.com",
    "msn.com",
)
# fmt: on
OTHER_DOMAINS = ("comcast.net", "att.net", "verizon.net", "sbcglobal.net", "cox.net", "me.com")
DISPOSABLE_DOMAINS = ("mailinator.com", "guerrillamail.com", "10minutemail.com")
FREE_SET = frozenset(FREE_DOMAINS + ("me.com",))
DISPOSABLE_SET = frozenset(DISPOSABLE_DOMAINS)

TOLLFREE = ("800", "844", "855", "866", "877", "888")
# fmt: off
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)
# fmt: on
MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# fmt: off
GENDERS = (
    ("M", 20), ("F", 20), ("male", 8), ("female", 8), ("Male", 6), ("Female", 6), ("m", 5),
    ("f", 5), ("FEMALE", 2), ("MALE", 2), ("O", 0.5), ("other", 0.5),
)
# fmt: on
GENDER_JUNK = ("x", "unknown", "N/A", "prefer not to say", "-", "U")
# fmt: off
IP_FIRST = (
    24, 47, 50, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 96, 97, 98, 99, 104, 107, 108,
    173, 174, 184, 198, 206, 208, 209,
)
# fmt: on

# fmt: off
LOAN_BINS = (
    "75000-99999", "100000-149999", "150000-199999", "200000-249999", "250000-299999",
    "300000-349999", "350000-399999", "400000-499999", "500000+",
)
# fmt: on
CREDIT_RATINGS = ("750-850", "700-749", "650-699", "600-649", "300-599", "720+", "680")
