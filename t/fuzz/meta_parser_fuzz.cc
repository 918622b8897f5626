// libFuzzer target for the meta command codec and its base64 helper.
//
// ParseMetaCommand gets any bytes (NULs and bytes >= 0x80 included), behind a meta command
// name picked by the first input byte so that every command is reached quickly. Checked on
// every input: nothing crashes; an accepted request's key and flag tokens are non-empty views
// inside the line, in request order, at most kMetaMaxTokens of them, each letter's `present`
// bit set and no letter twice; the key fits 250 bytes (decoded, with `b`); a rejected line has
// an error line and swallows only for ms; and parsing a copy of the line gives the same result.
// Base64: decode(encode(x)) == x for any x (into exactly three bytes per quad), and decoding arbitrary bytes into a buffer of a
// fuzzer-chosen size never writes past it (the buffer is exactly that size on the heap, so
// ASan sees any overflow) and agrees with a decode into a large buffer.
//
// Build: clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -I. proto/*.cc \
//          t/fuzz/meta_parser_fuzz.cc -o /tmp/meta_parser_fuzz
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "proto/base64.h"
#include "proto/meta_parser.h"

namespace {

using slabd::proto::MetaCommand;
using slabd::proto::MetaParseResult;
using slabd::proto::MetaParseStatus;
using slabd::proto::MetaRequest;

constexpr size_t kMaxKeyLength = 250;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

std::string_view FirstToken(std::string_view line) {
  const size_t start = line.find_first_not_of(' ');
  if (start == std::string_view::npos) return {};
  line.remove_prefix(start);
  return line.substr(0, line.find(' '));
}

bool Inside(std::string_view part, std::string_view whole) {
  return part.data() >= whole.data() &&
         part.data() + part.size() <= whole.data() + whole.size();
}

// The parts of a result that do not point into the line.
std::string Fingerprint(const MetaParseResult& r) {
  std::string out;
  out += static_cast<char>(r.status);
  out.append(r.error);
  out += '|' + std::to_string(r.swallow);
  if (r.status != MetaParseStatus::kOk) return out;
  const MetaRequest& q = r.request;
  out += '|' + std::to_string(static_cast<int>(q.command)) + '|';
  out.append(q.key);
  out += '|' + std::to_string(q.datalen) + '|' + std::to_string(q.flag_count);
  for (size_t i = 0; i < q.flag_count; ++i) {
    out += '|';
    out.append(q.flag(i));
  }
  out += '|' + q.present.to_string();
  for (uint64_t v : {uint64_t(uint32_t(q.ttl)), uint64_t(uint32_t(q.vivify_ttl)),
                     uint64_t(uint32_t(q.recache_ttl)), uint64_t(q.client_flags), q.compare_cas,
                     q.explicit_cas, q.delta, q.initial, uint64_t(uint8_t(q.mode))}) {
    out += '|' + std::to_string(v);
  }
  return out;
}

void CheckAccepted(const MetaRequest& r, std::string_view line) {
  Check(r.flag_count <= slabd::proto::kMetaMaxTokens);
  if (r.command == MetaCommand::kNoop) return;
  Check(!r.key.empty() && Inside(r.key, line));
  Check(r.key.find(' ') == std::string_view::npos);
  if (r.command == MetaCommand::kSet) {
    Check(r.datalen >= 0 && r.datalen <= std::numeric_limits<int32_t>::max() - 2);
  }
  if (r.Has('b')) {
    char decoded[400];
    const size_t n = slabd::proto::Base64Decode(r.key, decoded, sizeof(decoded));
    Check(n <= kMaxKeyLength);
    // me leaves a key that does not decode to the dispatcher (its own error line).
    if (r.command == MetaCommand::kDebug && n == 0) Check(r.key.size() <= kMaxKeyLength);
    if (r.command != MetaCommand::kDebug) Check(n > 0);
  } else {
    Check(r.key.size() <= kMaxKeyLength);
  }
  bool seen[128] = {};
  const char* previous_end = r.key.data() + r.key.size();
  for (size_t i = 0; i < r.flag_count; ++i) {
    const std::string_view f = r.flag(i);
    Check(!f.empty() && Inside(f, line));
    Check(f.find(' ') == std::string_view::npos);
    Check(f.data() > previous_end);  // after the key (and datalen), in request order
    previous_end = f.data() + f.size();
    const auto letter = static_cast<unsigned char>(f[0]);
    Check(letter < 127 && !seen[letter]);
    seen[letter] = true;
    Check(r.Has(static_cast<char>(letter)));
    if (letter == 'O' && r.command == MetaCommand::kSet) {
      Check(f.size() <= slabd::proto::kMetaMaxOpaqueToken);
    }
  }
  // Every present letter came from a flag token (me's bare `b` is the one exception).
  for (int c = 0; c < 128; ++c) {
    if (r.present[c] && !seen[c]) Check(r.command == MetaCommand::kDebug && c == 'b');
  }
}

void CheckParse(std::string_view line) {
  const MetaParseResult r = slabd::proto::ParseMetaCommand(line);
  if (r.status == MetaParseStatus::kOk) {
    CheckAccepted(r.request, line);
    Check(r.error.empty() && r.swallow == 0);
  } else {
    Check(r.error == "ERROR" || r.error.substr(0, 13) == "CLIENT_ERROR ");
    Check(r.error.find('\n') == std::string_view::npos);
    if (r.swallow != 0) {
      Check(FirstToken(line) == "ms");
      Check(r.swallow >= 2 && r.swallow <= uint64_t{std::numeric_limits<int32_t>::max()});
    }
  }
  // Deterministic, and independent of where the line lives.
  const std::string copy(line);
  Check(Fingerprint(slabd::proto::ParseMetaCommand(copy)) == Fingerprint(r));
}

void CheckBase64RoundTrip(std::string_view in) {
  std::string encoded = "prefix";
  slabd::proto::AppendBase64(encoded, in);
  Check(encoded.compare(0, 6, "prefix") == 0);
  const std::string_view body = std::string_view(encoded).substr(6);
  Check(body.size() == slabd::proto::Base64EncodedLength(in.size()));
  for (char c : body) {
    Check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          c == '+' || c == '/' || c == '=');
  }
  if (in.empty()) return;
  // Exactly the room the decoder asks for: three bytes per quad.
  const size_t room = body.size() / 4 * 3;
  std::unique_ptr<char[]> out(new char[room]);
  const size_t n = slabd::proto::Base64Decode(body, out.get(), room);
  Check(n == in.size() && std::memcmp(out.get(), in.data(), n) == 0);
}

void CheckBase64Decode(std::string_view in, size_t out_size) {
  const size_t big_size = in.size() / 4 * 3 + 3;
  std::unique_ptr<char[]> big(new char[big_size]);
  const size_t big_n = slabd::proto::Base64Decode(in, big.get(), big_size);
  Check(big_n <= big_size);
  std::unique_ptr<char[]> small(new char[out_size == 0 ? 1 : out_size]);
  const size_t n = slabd::proto::Base64Decode(in, small.get(), out_size);
  Check(n <= out_size);
  if (n > 0) Check(n == big_n && std::memcmp(small.get(), big.get(), n) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static constexpr std::string_view kPrefixes[] = {"mg ", "ms ", "md ", "ma ",
                                                   "me ", "mn ", "ms k ", ""};
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string line(kPrefixes[data[0] % std::size(kPrefixes)]);
  line.append(rest);
  CheckParse(line);
  CheckParse(rest);

  CheckBase64RoundTrip(rest);
  CheckBase64Decode(rest, data[0]);
  // The key path: a token of the line decoded as the parser and dispatcher do.
  const size_t space = rest.find(' ');
  CheckBase64Decode(rest.substr(0, space), kMaxKeyLength + 3);
  return 0;
}
