// libselfservice: an embeddable customer self-service portal (REQ-019).
//
// Include this header for the whole C++ API: Portal (portal.hpp) answers method calls with the
// unified envelope; the domain model and its validation (model.hpp); the storage ports
// (repository.hpp); who is calling (context.hpp); errors (status.hpp); time (clock.hpp).
// C, Python and Java hosts use the C ABI in capi/selfservice.h instead.

#pragma once

#include "selfservice/blob_store.hpp"
#include "selfservice/clock.hpp"
#include "selfservice/context.hpp"
#include "selfservice/model.hpp"
#include "selfservice/portal.hpp"
#include "selfservice/rate_limit.hpp"
#include "selfservice/repository.hpp"
#include "selfservice/status.hpp"
