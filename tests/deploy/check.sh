#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# make check's part of the deployment lab: the guide's marker convention
# (tests/deploy/test_doc_blocks.sh), then the lab's short run
# (tests/deploy/test_deploy.sh with DEPLOY_SHORT=1): the guide's bring-up,
# one failover with a client's lock, the removal.  The full lab is
# `make deploy-test`.
cd "$(dirname "$0")/../.." || exit 1
rc=0
bash tests/deploy/test_doc_blocks.sh || rc=1
DEPLOY_SHORT=1 timeout 1800 bash tests/deploy/test_deploy.sh || rc=1
exit $rc
