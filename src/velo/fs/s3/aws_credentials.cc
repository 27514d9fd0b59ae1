#include "velo/fs/s3/aws_credentials.h"

#include <cstdlib>
#include <fstream>

#include "velo/types/error.h"

namespace velo::s3 {

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

}  // namespace

AwsCredentials read_aws_profile(const std::string& file, const std::string& profile) {
  AwsCredentials c;
  std::ifstream in(file);
  if (!in) return c;
  std::string line;
  bool in_profile = false;
  std::string unsupported;  // a profile that gets its keys some other way
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      std::string name = trim(line.substr(1, line.size() - 2));
      if (name.rfind("profile ", 0) == 0) name = trim(name.substr(8));
      in_profile = name == profile;
      continue;
    }
    if (!in_profile) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Options::lower(trim(line.substr(0, eq)));
    std::string value = trim(line.substr(eq + 1));
    if (key == "aws_access_key_id")
      c.access_key_id = value;
    else if (key == "aws_secret_access_key")
      c.secret_access_key = value;
    else if (key == "aws_session_token")
      c.session_token = value;
    else if (key == "credential_process" || key == "role_arn" || key.rfind("sso_", 0) == 0)
      unsupported = key;
  }
  if (c.access_key_id.empty() && !unsupported.empty())
    throw_not_supported(
        "AWS profile '{}' in {} that gets its credentials through '{}' (set access_key_id and "
        "secret_access_key or AWS_ACCESS_KEY_ID instead)",
        profile, file, unsupported);
  if (!c.access_key_id.empty()) {
    if (c.secret_access_key.empty())
      throw_user_error("AWS profile '{}' in {} has aws_access_key_id but no aws_secret_access_key",
                       profile, file);
    c.source = "credentials from profile '" + profile + "' in " + file;
  }
  return c;
}

AwsCredentials resolve_aws_credentials(const Options& options) {
  AwsCredentials c;
  auto id = options.get("access_key_id");
  auto secret = options.get("secret_access_key");
  auto token = options.get("session_token");
  if (id || secret) {
    if (!id || !secret)
      throw_user_error("set both access_key_id and secret_access_key (or neither)");
    c.access_key_id = *id;
    c.secret_access_key = *secret;
    c.session_token = token.value_or("");
    c.source = "credentials from the WITH clause (access_key_id)";
    return c;
  }
  if (!env("AWS_ACCESS_KEY_ID").empty()) {
    if (env("AWS_SECRET_ACCESS_KEY").empty())
      throw_user_error("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
    c.access_key_id = env("AWS_ACCESS_KEY_ID");
    c.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
    c.session_token = env("AWS_SESSION_TOKEN");
    c.source = "credentials from AWS_ACCESS_KEY_ID";
    return c;
  }
  std::string profile = options.get_string("profile", env("AWS_PROFILE"));
  bool named = !profile.empty();
  if (profile.empty()) profile = "default";
  std::string file = env("AWS_SHARED_CREDENTIALS_FILE");
  if (file.empty() && !env("HOME").empty()) file = env("HOME") + "/.aws/credentials";
  if (!file.empty()) {
    c = read_aws_profile(file, profile);
    if (!c.anonymous()) return c;
    if (named) throw_user_error("AWS profile '{}' has no credentials in {}", profile, file);
  }
  c.source = "no credentials (anonymous requests)";
  return c;
}

std::string resolve_aws_region(const Options& options) {
  if (auto r = options.get("region")) return *r;
  if (!env("AWS_REGION").empty()) return env("AWS_REGION");
  if (!env("AWS_DEFAULT_REGION").empty()) return env("AWS_DEFAULT_REGION");
  return "us-east-1";
}

}  // namespace velo::s3
