#!/usr/bin/env node
// The published command runs the build (pnpm build). In this repository, run it from source:
// pnpm --filter @effect-alicloud/emulator start -- --port 0
import "../dist/bin.js"
