"""Connectors to a LeadConduit account: the Firehose in an object store (object_store.py) and the
Events API (events_api.py). Both write into the local landing zone; landing does the rest."""
