#include "velo/runtime/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "velo/types/error.h"

namespace velo {

std::string substitute_env(std::string_view text, const std::string& where) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.push_back(c);
      continue;
    }
    if (text[i + 1] == '$') {  // `$$` is a literal dollar
      out.push_back('$');
      ++i;
      continue;
    }
    if (text[i + 1] != '{') {
      out.push_back(c);
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos)
      throw_user_error("{}: unterminated '${{' in '{}'", where, std::string(text));
    std::string_view body = text.substr(i + 2, close - i - 2);
    std::string_view name = body, fallback;
    bool has_default = false;
    if (size_t d = body.find(":-"); d != std::string_view::npos) {
      name = body.substr(0, d);
      fallback = body.substr(d + 2);
      has_default = true;
    }
    if (name.empty()) throw_user_error("{}: empty variable name in '${{}}'", where);
    const char* value = std::getenv(std::string(name).c_str());
    if (value && *value)
      out += value;
    else if (has_default)
      out += fallback;
    else if (value)
      out += "";
    else
      throw_user_error(
          "{}: environment variable {} is not set (write ${{{}:-default}} for a default)", where,
          std::string(name), std::string(name));
    i = close;
  }
  return out;
}

namespace {

std::string node_origin(const std::string& origin, const YAML::Node& node) {
  if (node.Mark().line < 0) return origin;
  return fmt::format("{}:{}", origin, node.Mark().line + 1);
}

// Flattens a YAML map into dotted option names; scalars get ${ENV} substitution.
void flatten(const YAML::Node& node, const std::string& prefix, const std::string& origin,
             Options* out) {
  for (const auto& kv : node) {
    std::string key = kv.first.as<std::string>();
    std::string full = prefix.empty() ? key : prefix + "." + key;
    const YAML::Node& v = kv.second;
    std::string where = node_origin(origin, v);
    if (v.IsMap()) {
      flatten(v, full, origin, out);
    } else if (v.IsSequence()) {
      // Lists (several brokers, paths) join with commas, the form URIs and options accept.
      std::string joined;
      for (const auto& item : v) {
        if (!item.IsScalar())
          throw_user_error("{}: '{}' must be a list of plain values", where, full);
        joined += (joined.empty() ? "" : ",") + substitute_env(item.as<std::string>(), where);
      }
      out->set(full, joined);
    } else if (v.IsNull()) {
      out->set(full, "");
    } else {
      out->set(full, substitute_env(v.as<std::string>(), where));
    }
  }
}

// Reads and removes the first present key among `keys`.
std::string take(Options& props, std::initializer_list<const char*> keys,
                 const std::string& fallback = "") {
  for (const char* k : keys) {
    if (props.has(k)) {
      std::string v = *props.get(k);
      Options rest;
      for (const auto& [key, value] : props.all())
        if (key != Options::lower(k)) rest.set(key, value);
      props = rest;
      return v;
    }
  }
  return fallback;
}

std::string join_path(std::string a, const std::string& b) {
  if (b.empty()) return a;
  if (!a.empty() && a.back() != '/' && b.front() != '/') a += '/';
  return a + b;
}

// Velostream / Kafka spellings of common options, mapped onto ours.
void rename_option(Options& props, const char* from, const char* to) {
  if (!props.has(from) || props.has(to)) return;
  std::string v = take(props, {from});
  props.set(to, v);
}

}  // namespace

ConnectorEntry make_connector_entry(const std::string& name, const Options& properties,
                                    const std::string& default_kafka, const std::string& origin) {
  Options props = properties;
  ConnectorEntry entry;
  entry.name = name;
  entry.origin = origin;
  std::string config_file = take(props, {"config_file", "config.file"});
  if (!config_file.empty()) {
    // Properties from the file first; those written inline win.
    std::ifstream in(config_file);
    if (!in)
      throw_user_error("{}: cannot read config_file '{}' of '{}'", origin, config_file, name);
    std::stringstream ss;
    ss << in.rdbuf();
    YAML::Node root;
    try {
      root = YAML::Load(ss.str());
    } catch (const YAML::Exception& e) {
      throw_user_error("{}:{}: {}", config_file, e.mark.line + 1, e.msg);
    }
    Options from_file;
    if (root.IsMap()) flatten(root, "", config_file, &from_file);
    for (const auto& [k, v] : props.all()) from_file.set(k, v);
    props = from_file;
  }
  std::string uri = take(props, {"uri", "url"});
  std::string type = Options::lower(take(props, {"type", "connector"}));
  for (const char* suffix : {"_source", "_sink", "-source", "-sink"}) {
    std::string s(suffix);
    if (type.size() > s.size() && type.compare(type.size() - s.size(), s.size(), s) == 0) {
      type.resize(type.size() - s.size());
      break;
    }
  }
  if (uri.empty()) {
    if (type.empty())
      throw_user_error("{}: '{}' needs a type (kafka, file, s3, ...) or a uri", origin, name);
    if (type == "kafka" || type == "upsert-kafka") {
      std::string brokers = take(props,
                                 {"brokers", "bootstrap.servers", "bootstrap_servers",
                                  "properties.bootstrap.servers", "kafka.bootstrap.servers"},
                                 default_kafka);
      std::string topic = take(props, {"topic", "topic.name", "topic_name"}, name);
      if (brokers.empty())
        throw_user_error("{}: kafka '{}' has no brokers (set brokers or default_kafka)", origin,
                         name);
      uri = "kafka://" + brokers + "/" + topic;
      rename_option(props, "group.id", "group_id");
      rename_option(props, "properties.group.id", "group_id");
      rename_option(props, "value.format", "format");
      rename_option(props, "key.format", "key_format");
    } else if (type == "file" || type == "filesystem") {
      uri = take(props, {"path", "file.path", "location"});
      if (uri.empty()) throw_user_error("{}: file '{}' needs a path", origin, name);
    } else if (type == "s3" || type == "gcs" || type == "gs" || type == "azure") {
      std::string scheme = type == "gcs" ? "gs" : type;
      std::string bucket = take(props, {"bucket", "container"});
      if (bucket.empty()) throw_user_error("{}: {} '{}' needs a bucket", origin, type, name);
      uri = join_path(scheme + "://" + bucket, take(props, {"prefix", "path", "key"}));
      std::string pattern = take(props, {"pattern", "glob"});
      if (!pattern.empty()) uri = join_path(uri, pattern);
    } else if (type == "iceberg") {
      std::string table = take(props, {"table", "table_name"}, name);
      std::string catalog = take(props, {"catalog", "catalog_name"});
      uri = "iceberg://" + (catalog.empty() ? table : catalog + "." + table);
    } else if (type == "delta" || type == "hudi") {
      uri = type + "://" + take(props, {"path", "table_path", "location"}, name);
    } else if (type == "postgres-cdc" || type == "postgres_cdc" || type == "mysql-cdc" ||
               type == "mysql_cdc" || type == "postgresql" || type == "postgres" ||
               type == "mysql" || type == "redis") {
      std::string scheme = type;
      for (auto& ch : scheme)
        if (ch == '_') ch = '-';
      if (scheme == "postgres") scheme = "postgresql";
      std::string host = take(props, {"host", "hostname"}, "localhost");
      std::string port = take(props, {"port"});
      std::string where = take(props, {"database", "db", "stream", "table"});
      uri = scheme + "://" + host + (port.empty() ? "" : ":" + port) +
            (where.empty() ? "" : "/" + where);
    } else if (type == "mongodb-cdc" || type == "mongodb_cdc") {
      uri = "mongodb-cdc://" +
            take(props, {"connection_string", "connection", "hosts"}, "localhost:27017");
    } else if (type == "nexmark" || type == "stdout") {
      uri = type + "://";
    } else if (type == "test") {
      uri = "test://" + Options::lower(name);
    } else {
      throw Error(ErrorKind::kNotSupported,
                  fmt::format("{}: connector '{}' is not available yet", origin, type));
    }
  }
  entry.uri = uri;
  entry.options = props;
  return entry;
}

Config Config::parse(std::string_view yaml, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw Error(ErrorKind::kUser, e.msg, ErrorLocation{origin, e.mark.line + 1, e.mark.column + 1});
  }
  Config config;
  if (root.IsNull()) return config;
  if (!root.IsMap()) throw_user_error("{}: the config must be a YAML map", origin);
  static const std::vector<std::string> kTopLevel = {"default_kafka", "data_sources", "data_sinks"};
  for (const auto& kv : root) {
    std::string key = kv.first.as<std::string>();
    if (std::find(kTopLevel.begin(), kTopLevel.end(), key) == kTopLevel.end()) {
      std::string hint = nearest_name(key, kTopLevel);
      throw_user_error("{}: unknown key '{}'{} (known: default_kafka, data_sources, data_sinks)",
                       node_origin(origin, kv.first), key,
                       hint.empty() ? "" : " (did you mean '" + hint + "'?)");
    }
  }
  if (const YAML::Node& dk = root["default_kafka"]) {
    std::string where = node_origin(origin, dk);
    if (dk.IsMap()) {
      Options o;
      flatten(dk, "", origin, &o);
      config.default_kafka = o.get_string("brokers", o.get_string("bootstrap.servers", ""));
    } else {
      config.default_kafka = substitute_env(dk.as<std::string>(), where);
    }
  }
  auto read_entries = [&](const char* section, std::map<std::string, ConnectorEntry>* out) {
    const YAML::Node& node = root[section];
    if (!node) return;
    if (!node.IsMap())
      throw_user_error("{}: '{}' must be a map of name: {{type: ...}}", node_origin(origin, node),
                       section);
    for (const auto& kv : node) {
      std::string name = kv.first.as<std::string>();
      std::string where = node_origin(origin, kv.first);
      if (!kv.second.IsMap()) throw_user_error("{}: '{}' must be a map with a type", where, name);
      Options props;
      flatten(kv.second, "", origin, &props);
      (*out)[Options::lower(name)] = make_connector_entry(name, props, config.default_kafka, where);
    }
  };
  read_entries("data_sources", &config.sources);
  read_entries("data_sinks", &config.sinks);
  return config;
}

Config Config::load_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kUser, "cannot read config file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

const ConnectorEntry* Config::find_source(const std::string& name) const {
  auto it = sources.find(Options::lower(name));
  return it == sources.end() ? nullptr : &it->second;
}

const ConnectorEntry* Config::find_sink(const std::string& name) const {
  auto it = sinks.find(Options::lower(name));
  return it == sinks.end() ? nullptr : &it->second;
}

}  // namespace velo
