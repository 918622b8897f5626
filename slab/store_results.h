// Result types of the Store facade. Every result carries the ClassId of the item involved so
// src/ can keep memcached's per-class op counters (get_hits, cmd_set, ...) per thread, indexed by
// ClassId::v (kMaxClassIds entries). slab/ itself counts only memory-side events.
#ifndef SLABD_SLAB_STORE_RESULTS_H_
#define SLABD_SLAB_STORE_RESULTS_H_

#include <cstdint>

#include "slab/item_ref.h"
#include "slab/reservation.h"
#include "slab/size_class_table.h"

namespace slabd::slab {

enum class AllocStatus { kOk, kTooLarge, kNoMemory };
enum class StoreMode { kSet, kAdd, kReplace, kAppend, kPrepend, kCas };
enum class StoreStatus { kStored, kNotStored, kExists, kNotFound };
enum class MissReason { kNone /* hit */, kMissing, kExpired, kFlushed };
enum class DeleteStatus { kDeleted, kNotFound, kExists /* cas mismatch */ };
enum class ArithStatus { kOk, kNotFound, kNonNumeric, kNoMemory, kExists /* cas mismatch */ };

struct [[nodiscard]] ReserveResult {
  AllocStatus status;
  Reservation reservation;  // set iff status == kOk
};

struct [[nodiscard]] LookupResult {
  ItemRef item;       // set iff reason == kNone
  MissReason reason;  // kMissing also covers "refcount limit reached" (memcached limited_get)
};

struct LinkResult {
  StoreStatus status;
  uint64_t cas;  // the new CAS when stored (0 with use_cas off), else 0
  ClassId cls;   // class of the reservation (memcached counts set_cmds/cas_* there)
};

struct DeleteResult {
  DeleteStatus status;
  ClassId cls;  // class of the item found, or 0
};

struct ArithResult {
  ArithStatus status;
  uint64_t value;  // the new number when kOk (the reply prints it unpadded)
  uint64_t cas;    // the new CAS when kOk (0 with use_cas off)
  ClassId cls;     // class of the item found, or 0
};

struct TouchResult {
  bool found;
  ClassId cls;  // class of the item touched, or 0
};

}  // namespace slabd::slab

#endif  // SLABD_SLAB_STORE_RESULTS_H_
