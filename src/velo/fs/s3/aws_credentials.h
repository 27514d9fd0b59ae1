#pragma once

#include <string>

#include "velo/fs/s3/sigv4.h"
#include "velo/io/options.h"

namespace velo::s3 {

/// The AWS credential chain, first hit wins:
///   1. WITH (access_key_id = ..., secret_access_key = ..., session_token = ...)
///   2. env AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
///   3. the profile `profile` option, AWS_PROFILE or "default" in AWS_SHARED_CREDENTIALS_FILE or
///      ~/.aws/credentials
///   4. none: requests go unsigned (public buckets).
/// Throws a user error when a source is half set (a key id without its secret).
AwsCredentials resolve_aws_credentials(const Options& options);

/// Reads one profile of an AWS INI credentials file; empty credentials if absent.
AwsCredentials read_aws_profile(const std::string& file, const std::string& profile);

/// Region: `region` option, AWS_REGION, AWS_DEFAULT_REGION, else us-east-1.
std::string resolve_aws_region(const Options& options);

}  // namespace velo::s3
