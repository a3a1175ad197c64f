"""A local S3-compatible server: moto's server mode on 127.0.0.1, spoken to over HTTP by boto3.

``FakeS3`` starts it on a free port and creates one bucket; ``objects()`` lists what was written
there, read back over the same HTTP API.
"""

from __future__ import annotations

import boto3
from moto.server import ThreadedMotoServer

ACCESS_KEY_ID, SECRET_ACCESS_KEY, REGION = "fake-access-key", "fake-secret-key", "eu-central-1"


class FakeS3:
    def __init__(self, bucket: str = "breachline-anchors") -> None:
        self.bucket = bucket
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    def __enter__(self) -> FakeS3:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"
        self.client().create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.stop()

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint_url, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY_ID, aws_secret_access_key=SECRET_ACCESS_KEY)

    def objects(self) -> dict[str, str]:
        """Every object's key and text."""
        client = self.client()
        listing = client.list_objects_v2(Bucket=self.bucket).get("Contents", [])
        return {item["Key"]: client.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read().decode()
                for item in listing}
