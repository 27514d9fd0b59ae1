#pragma once

#include <memory>
#include <string>

#include "velo/fs/file_system.h"
#include "velo/fs/s3/s3_client.h"

namespace velo {

/// S3 options from the WITH clause and the environment (docs/CONNECTORS.md, object storage):
/// endpoint (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL), region, path_style / url_style,
/// credentials (s3/aws_credentials.h), part_size, sign_payload, HTTP timeouts and retries.
s3::S3Config s3_config_from(const Options& options);

/// Options shared by s3:// and gs://: url_style / path_style, part_size, sign_payload, HTTP.
void apply_common_s3_options(const Options& options, s3::S3Config* config);

/// A FileSystem for "<scheme>://bucket/key" over an S3-compatible service.
std::shared_ptr<FileSystem> s3_file_system(s3::S3Config config);

/// Registers "s3" and "gs" (GCS through its S3-compatible XML API).
void register_s3_file_systems();

}  // namespace velo
