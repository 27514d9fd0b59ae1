#include "velo/state/checkpoint.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

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

// ---- store ----------------------------------------------------------------------------------

namespace {

int64_t checkpoint_id_of(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  const std::string prefix = "checkpoint-", suffix = ".bin";
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

}  // namespace

CheckpointStore::CheckpointStore(std::string dir) : dir_(std::move(dir)) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  fs_ = file_system_for(dir_, Options{});
}

void CheckpointStore::save(const CheckpointData& data) {
  std::string path = fmt::format("{}/checkpoint-{:010d}.bin", dir_, data.id);
  std::string bytes = encode_checkpoint(data);
  std::unique_ptr<OutputStream> out = fs_->open_write(path);
  out->write(bytes.data(), bytes.size());
  out->prepare();  // durable
  out->commit();   // visible, atomically
  // Older checkpoints are no longer needed once this one is published; keep one spare.
  std::vector<int64_t> ids;
  for (const FileInfo& f : fs_->list(dir_ + "/checkpoint-*.bin"))
    if (int64_t id = checkpoint_id_of(f.path); id >= 0 && id < data.id) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (size_t i = 0; i + 1 < ids.size(); ++i) {
    try {
      fs_->remove(fmt::format("{}/checkpoint-{:010d}.bin", dir_, ids[i]));
    } catch (const Error&) {
      // An old checkpoint that stays is harmless: the newest one wins.
    }
  }
}

std::optional<CheckpointData> CheckpointStore::latest() const {
  int64_t best = -1;
  std::string best_path;
  for (const FileInfo& f : fs_->list(dir_ + "/checkpoint-*.bin")) {
    int64_t id = checkpoint_id_of(f.path);
    if (id > best) {
      best = id;
      best_path = f.path;
    }
  }
  if (best < 0) return std::nullopt;
  std::unique_ptr<RandomAccessFile> file = fs_->open_read(best_path);
  std::string bytes(static_cast<size_t>(file->size()), '\0');
  size_t got = bytes.empty() ? 0 : file->read_at(0, bytes.size(), bytes.data());
  if (got != bytes.size()) throw_io_error("checkpoint '{}' was cut short while reading", best_path);
  return decode_checkpoint(bytes, "checkpoint '" + best_path + "'");
}

}  // namespace velo
