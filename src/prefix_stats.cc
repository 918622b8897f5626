// PrefixStats (see prefix_stats.h).
#include "src/prefix_stats.h"

#include <charconv>

namespace slabd::server {

PrefixStats::Counts* PrefixStats::Find(std::string_view key) {
  size_t cut = key.find(delimiter_);
  if (cut == std::string_view::npos) return nullptr;
  std::string prefix(key.substr(0, cut));
  auto it = index_.find(prefix);
  if (it != index_.end()) return &prefixes_[it->second].second;
  if (prefixes_.size() >= kMaxPrefixes) return nullptr;
  index_.emplace(prefix, prefixes_.size());
  prefixes_.emplace_back(std::move(prefix), Counts{});
  return &prefixes_.back().second;
}

void PrefixStats::RecordGet(std::string_view key, bool hit) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Counts* c = Find(key)) {
    ++c->gets;
    if (hit) ++c->hits;
  }
}

void PrefixStats::RecordSet(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Counts* c = Find(key)) ++c->sets;
}

void PrefixStats::RecordDelete(std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  if (Counts* c = Find(key)) ++c->deletes;
}

void PrefixStats::Dump(std::string& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto num = [&out](uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, r.ptr);
  };
  for (const auto& [prefix, c] : prefixes_) {
    out.append("PREFIX ").append(prefix).append(" get ");
    num(c.gets);
    out.append(" hit ");
    num(c.hits);
    out.append(" set ");
    num(c.sets);
    out.append(" del ");
    num(c.deletes);
    out.append("\r\n");
  }
  out.append("END\r\n");
}

void PrefixStats::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  index_.clear();
  prefixes_.clear();
}

}  // namespace slabd::server
