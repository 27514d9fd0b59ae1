"""The independent object-store clients of crash_test.sh (boto3 for s3rver, python3-azure for
azurite): list what is visible under a prefix and download it keeping the key paths.
Usage: store_client.py s3|azure list PREFIX | download PREFIX DIR"""
import os
import sys


def s3():
    import boto3
    return boto3.client("s3", endpoint_url=os.environ["S3_URL"], aws_access_key_id="S3RVER",
                        aws_secret_access_key="S3RVER", region_name="us-east-1")


def keys(kind, prefix):
    if kind == "s3":
        out = []
        for page in s3().get_paginator("list_objects_v2").paginate(
                Bucket=os.environ["S3_BUCKET"], Prefix=prefix):
            out += [(o["Key"], o["Size"]) for o in page.get("Contents", [])]
        return out
    container = azure_container()
    return [(b.name, b.size) for b in container.list_blobs(name_starts_with=prefix)]


def azure_container():
    from azure.storage.blob import BlobServiceClient
    service = BlobServiceClient.from_connection_string(os.environ["AZ_CONN"])
    return service.get_container_client(os.environ["AZ_CONTAINER"])


def download(kind, prefix, target):
    for key, _ in keys(kind, prefix):
        path = os.path.join(target, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if kind == "s3":
            s3().download_file(os.environ["S3_BUCKET"], key, path)
        else:
            with open(path, "wb") as f:
                f.write(azure_container().download_blob(key).readall())


if __name__ == "__main__":
    kind, command, prefix = sys.argv[1:4]
    if command == "list":
        for key, size in keys(kind, prefix):
            print(f"{key}\t{size}")
    else:
        download(kind, prefix, sys.argv[4])
