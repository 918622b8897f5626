// Command-line parsing: memcached's short options and gflags long names, both mapped
// onto one ServerOptions.
//
// This is the only translation unit that defines or reads FLAGS_* (STYLE.md).
#ifndef SLABD_SRC_OPTIONS_H_
#define SLABD_SRC_OPTIONS_H_

#include <optional>
#include <string>

#include "src/server_options.h"

namespace slabd::server {

inline constexpr const char* kSlabdVersion = "0.1.0";
// The memcached release whose wire behaviour slabd reproduces byte for byte; it is
// what `version` and `stats` report so that clients keyed on versions keep working.
inline constexpr const char* kCompatVersion = "1.6.18";

struct ParsedOptions {
  ServerOptions options;
  int exit_code = -1;   // >= 0: print `message` (stdout if 0, stderr otherwise) and exit
  std::string message;
};

// Parses argv. Accepts memcached's spelling (-p 11211, -p11211, -vv, -m 64,
// --memory-limit=64, -o hashpower=20) and gflags' (--port=11211, --memory_limit=64).
ParsedOptions ParseOptions(int argc, char** argv);

// Splits the Store for `threads` workers (-t): item-lock stripes as memcached sizes its lock
// table (kept below hashpower), and LRU and freelist shards, two per worker rounded up to a
// power of two (slab/README.md, P2); with one worker every class keeps one exact LRU.
void SizeStoreForThreads(int threads, slab::StoreOptions* store);

// Parses memcached's item-size syntax: "1048576", "512k", "2m".
std::optional<uint64_t> ParseSize(const std::string& text);

}  // namespace slabd::server

#endif  // SLABD_SRC_OPTIONS_H_
