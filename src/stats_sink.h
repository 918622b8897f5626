// StatsSink: where stats name/value pairs go, so one function per stats group serves
// both protocols: the text protocol writes "STAT <name> <value>\r\n" lines, the binary
// protocol one packet per pair.
//
// Thread safety: a sink is used by one thread (the connection's worker).
#ifndef SLABD_SRC_STATS_SINK_H_
#define SLABD_SRC_STATS_SINK_H_

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "proto/binary_writer.h"
#include "proto/text_writer.h"

namespace slabd::server {

class StatsSink {
 public:
  virtual ~StatsSink() = default;
  virtual void Add(std::string_view name, std::string_view value) = 0;

  void Add(std::string_view name, uint64_t v) { AddNumber(name, v); }
  void Add(std::string_view name, int64_t v) { AddNumber(name, v); }
  void Add(std::string_view name, uint32_t v) { AddNumber(name, v); }
  void Add(std::string_view name, int32_t v) { AddNumber(name, v); }
  void Add(std::string_view name, const char* v) { Add(name, std::string_view(v)); }
  void Add(std::string_view name, const std::string& v) { Add(name, std::string_view(v)); }

 private:
  template <typename T>
  void AddNumber(std::string_view name, T v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    Add(name, std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
  }
};

class TextStatsSink final : public StatsSink {
 public:
  explicit TextStatsSink(std::string& out) : out_(out) {}
  using StatsSink::Add;
  void Add(std::string_view name, std::string_view value) override {
    proto::AppendStat(out_, name, value);
  }

 private:
  std::string& out_;
};

class BinaryStatsSink final : public StatsSink {
 public:
  BinaryStatsSink(std::string& out, proto::BinaryReplyTo to) : out_(out), to_(to) {}
  using StatsSink::Add;
  void Add(std::string_view name, std::string_view value) override {
    proto::AppendBinaryStat(out_, to_, name, value);
  }

 private:
  std::string& out_;
  proto::BinaryReplyTo to_;
};

}  // namespace slabd::server

#endif  // SLABD_SRC_STATS_SINK_H_
