// Check runner for the interop suites: one line per check, a final "N passed, M failed" line.
//
// Two kinds of check:
//   check(name, fn)              passes when fn resolves, fails when it throws.
//   knownFailure(name, spec, fn) asserts a documented defect of a package: passes only when fn
//                                throws an error matching spec.match. If the package stops failing
//                                (or fails differently) the check FAILS, so a new package version
//                                that fixes or changes the defect is noticed, not silently skipped.
"use strict";

class Harness {
  constructor({ filter } = {}) {
    this.passed = 0;
    this.failed = 0;
    this.filter = filter || null;
    this.suite = null;
  }

  // --only TEXT selects a check by its name or by the name of its suite.
  selected(name) {
    return !this.filter || name.includes(this.filter) || (this.suite || "").includes(this.filter);
  }

  pass(name, note) {
    this.passed += 1;
    console.log(`PASS ${name}${note ? `  [${note}]` : ""}`);
  }

  fail(name, why) {
    this.failed += 1;
    console.log(`FAIL ${name}: ${why}`);
  }

  async check(name, fn) {
    if (!this.selected(name)) return;
    try {
      await fn();
      this.pass(name);
    } catch (e) {
      this.fail(name, describe(e));
    }
  }

  // spec: { because: "what the package gets wrong", match: RegExp tested against the error text }
  async knownFailure(name, spec, fn) {
    if (!this.selected(name)) return;
    let error = null;
    try {
      await fn();
    } catch (e) {
      error = e;
    }
    if (error !== null && error.fatal) {
      this.fail(name, describe(error));
    } else if (error === null) {
      this.fail(name, `known failure did not happen (${spec.because}); the package changed: ` +
        "update the test and docs/INTEROP.md");
    } else if (!spec.match.test(describe(error))) {
      this.fail(name, `failed differently than documented (${spec.because}): ${describe(error)}`);
    } else {
      this.pass(name, `known failure: ${spec.because}`);
    }
  }

  summary() {
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed === 0 && this.passed > 0;
  }
}

function describe(e) {
  if (e === null || e === undefined) return String(e);
  if (typeof e !== "object") return String(e);
  const code = e.code ? `${e.code}: ` : "";
  const cause = e.cause && e.cause.message ? ` (cause: ${e.cause.message})` : "";
  return `${code}${e.message}${cause}`;
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

module.exports = { Harness, assert, assertEqual, describe };
