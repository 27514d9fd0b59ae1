#include "velo/state/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "velo/batch/byte_io.h"
#include "velo/types/error.h"

namespace velo {

int CheckpointCoordinator::add_reader(int source) {
  std::lock_guard<std::mutex> lock(mu_);
  slots_.push_back(Slot{source, {}, std::nullopt});
  num_sources_ = std::max(num_sources_, source + 1);
  return static_cast<int>(slots_.size()) - 1;
}

std::string CheckpointCoordinator::state_key(const std::string& kind) {
  std::lock_guard<std::mutex> lock(mu_);
  return fmt::format("{}-{}", kind, key_counts_[kind]++);
}

void CheckpointCoordinator::cannot_checkpoint(std::string why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (blocker_.empty()) blocker_ = std::move(why);
}

const std::string* CheckpointCoordinator::restored_state(const std::string& key) const {
  if (!restored_) return nullptr;
  auto it = restored_->operator_state.find(key);
  return it == restored_->operator_state.end() ? nullptr : &it->second;
}

void CheckpointCoordinator::record_position(int slot, int64_t id, std::string position) {
  std::lock_guard<std::mutex> lock(mu_);
  Slot& s = slots_.at(slot);
  if (id < 0)
    s.final_position = std::move(position);
  else
    s.positions[id] = std::move(position);
}

void CheckpointCoordinator::record_state(const std::string& key, int64_t id, std::string state) {
  std::lock_guard<std::mutex> lock(mu_);
  states_[id][key] = std::move(state);
}

bool CheckpointData::ended_early() const {
  if (!job_ended) return false;
  for (const auto& readers : source_positions)
    for (const auto& p : readers)
      if (p.empty()) return true;
  return false;
}

CheckpointData CheckpointCoordinator::collect(int64_t id, bool job_ended) {
  std::lock_guard<std::mutex> lock(mu_);
  CheckpointData data;
  data.id = id;
  data.job_ended = job_ended;
  data.query = query_;
  data.source_positions.resize(num_sources_);
  for (size_t i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    auto it = s.positions.find(id);
    if (it != s.positions.end()) {
      data.source_positions[s.source].push_back(std::move(it->second));
    } else if (s.final_position) {
      data.source_positions[s.source].push_back(*s.final_position);
    } else if (job_ended) {
      data.source_positions[s.source].push_back(std::string());
    } else {
      throw_internal_error("checkpoint {}: reader {} of source {} sent no barrier", id, i,
                           s.source);
    }
    s.positions.erase(s.positions.begin(), s.positions.upper_bound(id));
  }
  auto st = states_.find(id);
  if (st != states_.end()) data.operator_state = std::move(st->second);
  states_.erase(states_.begin(), states_.upper_bound(id));
  return data;
}

// ---- encoding --------------------------------------------------------------------------------

namespace {

constexpr char kMagic[8] = {'V', 'E', 'L', 'O', 'C', 'K', 'P', '1'};

}  // namespace

std::string encode_checkpoint(const CheckpointData& d) {
  ByteWriter w;
  w.str().append(kMagic, sizeof(kMagic));
  w.put<int64_t>(d.id);
  w.put_string(d.query);
  w.put<uint64_t>(d.source_positions.size());
  for (const auto& readers : d.source_positions) {
    w.put<uint64_t>(readers.size());
    for (const auto& p : readers) w.put_string(p);
  }
  w.put<uint64_t>(d.operator_state.size());
  for (const auto& [k, v] : d.operator_state) {
    w.put_string(k);
    w.put_string(v);
  }
  w.put<uint64_t>(d.sink_handles.size());
  for (const auto& h : d.sink_handles) w.put_string(h);
  w.put<uint8_t>(d.job_ended ? 1 : 0);
  uint32_t crc =
      crc32(0, reinterpret_cast<const Bytef*>(w.str().data()), static_cast<uInt>(w.str().size()));
  w.put<uint32_t>(crc);
  return w.take();
}

CheckpointData decode_checkpoint(std::string_view bytes, const std::string& what) {
  if (bytes.size() < sizeof(kMagic) + 4 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw_format_error("{} is not a velostream checkpoint (bad header)", what);
  uint32_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 4, 4);
  uint32_t crc =
      crc32(0, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4));
  if (crc != stored) throw_format_error("{} is damaged (checksum mismatch)", what);
  ByteReader r(bytes.substr(sizeof(kMagic), bytes.size() - sizeof(kMagic) - 4), what);
  CheckpointData d;
  d.id = r.get<int64_t>();
  d.query = r.get_string();
  d.source_positions.resize(r.get_count(8));
  for (auto& readers : d.source_positions) {
    readers.resize(r.get_count(8));
    for (auto& p : readers) p = r.get_string();
  }
  uint64_t states = r.get_count(16);
  for (uint64_t i = 0; i < states; ++i) {
    std::string k = r.get_string();
    d.operator_state[k] = r.get_string();
  }
  d.sink_handles.resize(r.get_count(8));
  for (auto& h : d.sink_handles) h = r.get_string();
  d.job_ended = r.get<uint8_t>() != 0;
  if (!r.at_end()) r.corrupt();
  return d;
}

// ---- store -----------------------------------------------------------------------------------

namespace fs = std::filesystem;

CheckpointStore::CheckpointStore(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw_io_error("cannot create state directory '{}': {}", dir_, ec.message());
}

namespace {

void write_durably(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_io_error("cannot write checkpoint '{}': {}", path, std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      throw_io_error("cannot write checkpoint '{}': {}", path, std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw_io_error("cannot sync checkpoint '{}': {}", path, std::strerror(errno));
}

int64_t checkpoint_id_of(const fs::path& p) {
  std::string name = p.filename().string();
  const std::string prefix = "checkpoint-", suffix = ".bin";
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

}  // namespace

void CheckpointStore::save(const CheckpointData& data) {
  std::string final_path = fmt::format("{}/checkpoint-{:010d}.bin", dir_, data.id);
  std::string temp = final_path + ".tmp";
  write_durably(temp, encode_checkpoint(data));
  if (::rename(temp.c_str(), final_path.c_str()) != 0)
    throw_io_error("cannot publish checkpoint '{}': {}", final_path, std::strerror(errno));
  int dfd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  // Older checkpoints are no longer needed once this one is durable; keep one spare.
  std::vector<int64_t> ids;
  for (const auto& e : fs::directory_iterator(dir_))
    if (int64_t id = checkpoint_id_of(e.path()); id >= 0 && id < data.id) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (size_t i = 0; i + 1 < ids.size(); ++i) {
    std::error_code ec;
    fs::remove(fmt::format("{}/checkpoint-{:010d}.bin", dir_, ids[i]), ec);
  }
}

std::optional<CheckpointData> CheckpointStore::latest() const {
  int64_t best = -1;
  fs::path best_path;
  for (const auto& e : fs::directory_iterator(dir_)) {
    int64_t id = checkpoint_id_of(e.path());
    if (id > best) {
      best = id;
      best_path = e.path();
    }
  }
  if (best < 0) return std::nullopt;
  std::ifstream in(best_path, std::ios::binary);
  if (!in.is_open()) throw_io_error("cannot read checkpoint '{}'", best_path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return decode_checkpoint(ss.str(), "checkpoint '" + best_path.string() + "'");
}

}  // namespace velo
