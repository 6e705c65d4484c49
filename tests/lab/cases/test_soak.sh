#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The short soak make check runs: 40 randomised failovers on 5 nodes
# (`make soak` runs 200).  See tests/lab/soak.sh.
exec env SOAK_FAILOVERS="${SOAK_FAILOVERS:-40}" bash "$(dirname "$0")/../soak.sh"
