"""The operation's recipients: five enhancement services and twelve buyers, with daily caps."""

from __future__ import annotations

import random
from dataclasses import dataclass, fields

from ingest.simulator.world import (
    CAP_BUYER,
    DELIVERY_MODULE,
    LATE_RETURNS_BUYER,
    MONTHLY_CAP_BUYER,
    OUTAGE_BUYER,
    SLOW_BUYER,
    SLOW_BUYER_HOURS_UTC,
    SLOW_STEP_RECIPIENT,
    IdMaker,
    Recipient,
)


@dataclass
class RecipientRoster:
    """Every recipient by role; ``all()`` lists them in the world's order."""

    suppression: Recipient
    trustedform: Recipient
    bv_email: Recipient
    bv_phone: Recipient
    linecheck: Recipient
    lone_star: Recipient
    gulf: Recipient
    allied: Recipient
    everest: Recipient
    pioneer: Recipient
    summit: Recipient
    blue_ridge: Recipient
    harbor: Recipient
    sunpeak: Recipient
    brightline: Recipient
    crestview: Recipient
    learnwell: Recipient

    def all(self) -> list[Recipient]:
        return [getattr(self, role.name) for role in fields(self)]


def build_recipients(
    ids: IdMaker, rng: random.Random, per_day: float, outage_day: int
) -> RecipientRoster:
    def recipient(name, module, version, key, kind, uri, wait, cost=0.0, **options) -> Recipient:
        return Recipient(ids.oid(), name, module, version, key, kind, uri, wait, cost, **options)

    suppression = recipient(
        "SuppressionList",
        "leadconduit-suppressionlist.outbound.query_item",
        "3.4.1",
        "suppressionlist",
        "suppression",
        "https://app.suppressionlist.com/lists/leads/items",
        170,
        0.002,
    )
    trustedform = recipient(
        "TrustedForm",
        "leadconduit-trustedform.outbound.v4",
        "4.6.2",
        "trustedform",
        "trustedform",
        "https://cert.trustedform.com",
        230,
        0.05,
    )
    bv_email = recipient(
        "BriteVerify Email",
        "leadconduit-briteverify.outbound.email",
        "2.3.0",
        "briteverify",
        "email_verify",
        "https://bpi.briteverify.com/api/v1/fullverify",
        210,
        0.01,
    )
    bv_phone = recipient(
        "BriteVerify Phone",
        "leadconduit-briteverify.outbound.phone",
        "2.3.0",
        "briteverify_phone",
        "phone_verify",
        "https://bpi.briteverify.com/api/v1/fullverify",
        190,
        0.01,
    )
    linecheck = recipient(
        SLOW_STEP_RECIPIENT,
        "leadconduit-linecheck.outbound.lookup",
        "1.8.3",
        "linecheck",
        "phone_verify",
        "https://api.linecheck.example/v3/lookup",
        4500,
        0.015,
    )

    def buyer(name, host, price, **options) -> Recipient:
        return recipient(
            name,
            DELIVERY_MODULE,
            "2.23.8",
            "custom",
            "delivery",
            f"https://{host}",
            options.pop("wait", 650),
            0.0,
            price=round(price * rng.uniform(0.95, 1.05) * 4) / 4,
            **options,
        )

    lone_star = buyer(
        "Lone Star Auto Agency",
        "buyer.lonestarauto.example/leads",
        18.5,
        accept=0.72,
        checks_zip=True,
        conv_rate=0.08,
        wait=720,
    )
    gulf = buyer(
        SLOW_BUYER,
        "api.gulfcoast.example/v2/lead",
        15.0,
        accept=0.66,
        requires_phone=True,
        conv_rate=0.06,
        wait=1800,
        timeout_ms=6000,
        slow_hours=SLOW_BUYER_HOURS_UTC,
    )
    allied = buyer(
        "Allied Auto Quotes",
        "post.alliedautoquotes.example/api/leads",
        12.0,
        accept=0.70,
        requires_phone=True,
        conv_rate=0.05,
        wait=520,
    )
    everest = buyer(
        CAP_BUYER,
        "leads.everestins.example/inbound",
        14.0,
        accept=0.62,
        checks_zip=True,
        conv_rate=0.07,
        wait=880,
        cap_share=0.38,
    )
    pioneer = buyer(
        "Pioneer Direct Insurance",
        "pioneerdirect.example/lead/post",
        9.5,
        accept=0.75,
        unpaid=True,
        conv_rate=0.04,
        wait=390,
        price_jitter=0.2,
    )
    summit = buyer(
        OUTAGE_BUYER,
        "api.summitmortgage.example/v1/leads",
        45.0,
        accept=0.55,
        requires_email=True,
        conv_rate=0.09,
        wait=950,
        outage_day=outage_day,
    )
    blue_ridge = buyer(
        LATE_RETURNS_BUYER,
        "blueridgelending.example/api/post",
        38.0,
        accept=0.6,
        checks_zip=True,
        conv_rate=0.07,
        wait=610,
        late_returns=True,
    )
    harbor = buyer(
        MONTHLY_CAP_BUYER,
        "harborhomeloans.example/leads",
        30.0,
        accept=0.68,
        conv_rate=0.05,
        wait=540,
        price_jitter=0.25,
    )
    sunpeak = buyer(
        "SunPeak Solar",
        "crm.sunpeaksolar.example/api/leads",
        35.0,
        accept=0.6,
        requires_phone=True,
        conv_rate=0.08,
        wait=760,
    )
    brightline = buyer(
        "Brightline Energy",
        "brightline-energy.example/intake",
        28.0,
        accept=0.7,
        checks_zip=True,
        conv_rate=0.06,
        wait=500,
        cap_share=0.2,
    )
    crestview = buyer(
        "Crestview University Online",
        "admissions.crestview.example/api",
        22.0,
        accept=0.64,
        requires_email=True,
        conv_rate=0.05,
        wait=680,
    )
    learnwell = buyer(
        "Learnwell Academy",
        "learnwell.example/leads/new",
        16.0,
        accept=0.72,
        conv_rate=0.04,
        wait=420,
        price_jitter=0.15,
    )

    # Daily caps, sized to the average daily volume so that busy days hit them.
    def cap(share_of_day: float) -> int:
        return max(1, round(per_day * share_of_day))

    # Every buyer has a daily cap; only these two are tight enough to be met on busy days.
    for capped_buyer in (
        lone_star,
        gulf,
        allied,
        pioneer,
        summit,
        blue_ridge,
        harbor,
        sunpeak,
        crestview,
        learnwell,
    ):
        capped_buyer.daily_cap = cap(0.5) // 10 * 10 + 50
    everest.daily_cap = cap(0.045)  # met around 14:00 UTC on weekdays
    # Harbor Home Loans (last in the mortgage waterfall: it takes ~12% of the flow's leads, ~2.5%
    # of all leads) buys about eight days' worth of leads a month.
    harbor.monthly_cap = cap(0.02) * 10
    harbor.cap_share = 0.118
    brightline.daily_cap = cap(0.025)
    return RecipientRoster(
        suppression,
        trustedform,
        bv_email,
        bv_phone,
        linecheck,
        lone_star,
        gulf,
        allied,
        everest,
        pioneer,
        summit,
        blue_ridge,
        harbor,
        sunpeak,
        brightline,
        crestview,
        learnwell,
    )
