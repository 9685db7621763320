"""A real S3 API on loopback (moto's server), started once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ingest.settings import environment

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 (a free port); the AWS_* environment points at it."""
    from moto.server import ThreadedMotoServer

    from tests.conftest import free_port

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        with environment(**AWS_ENV, AWS_ENDPOINT_URL=endpoint):
            yield endpoint
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint)


_buckets = iter(range(1_000_000))


@pytest.fixture
def bucket(s3) -> str:
    """A new empty bucket per test."""
    name = f"firehose-{next(_buckets)}"
    s3.create_bucket(Bucket=name)
    return name


def upload_tree(s3, bucket: str, root: Path, prefix: str, key_for=None, threads: int = 16) -> dict:
    """Put every file under root at <prefix>/<relative path> (``key_for`` may rename); key ->
    bytes."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    keys = {}
    for path in files:
        relative = path.relative_to(root).as_posix()
        key = f"{prefix}/{key_for(relative) if key_for else relative}"
        keys[key] = path.read_bytes()

    def put(item):
        s3.put_object(Bucket=bucket, Key=item[0], Body=item[1])

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(put, keys.items()))
    return keys
