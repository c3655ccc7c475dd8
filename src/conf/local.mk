# SPDX-License-Identifier: ISC
# src/conf: skms.yaml through libyaml into an immutable config.
