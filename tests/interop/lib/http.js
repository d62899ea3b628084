// A tiny HTTP message model shared by the suites, and its conversions: to the HTTP/1.1 text the
// wba CLI reads and prints, and to the message shapes each npm package takes.
//
// A request is { method, url, headers: [[name, value], ...], body } with an absolute https url;
// headers keep their order and repetitions (wba prints a second Signature-Input line when it adds
// a second signature); the Host header always comes first and matches the url's authority.
// A response is { status, headers, body }.
"use strict";

const nodeCrypto = require("node:crypto");

function request(url, headers = [], method = "GET", body = "") {
  const u = new URL(url);
  return { method, url: u.href, headers: [["Host", u.host], ...headers], body };
}

// A POST with a JSON body and its RFC 9530 Content-Digest (sha-256), before any extra headers.
function post(url, body, headers = []) {
  return request(url, [["Content-Type", "application/json"], ["Content-Digest", contentDigest(body)],
    ["Content-Length", String(Buffer.byteLength(body))], ...headers], "POST", body);
}

function contentDigest(body) {
  return `sha-256=:${nodeCrypto.createHash("sha256").update(body).digest("base64")}:`;
}

// A response is { status, headers, body } (no url); wba reads it with --request for ;req components.
function response(status, headers = [], body = "") {
  return { status, headers, body };
}

function toHttp1(msg) {
  let start;
  if (msg.status !== undefined) {
    start = `HTTP/1.1 ${msg.status} ${msg.status === 200 ? "OK" : "Status"}`;
  } else {
    const u = new URL(msg.url);
    start = `${msg.method} ${u.pathname}${u.search} HTTP/1.1`;
  }
  const lines = [start];
  for (const [name, value] of msg.headers) lines.push(`${name}: ${value}`);
  return lines.join("\r\n") + "\r\n\r\n" + (msg.body || "");
}

function parseHttp1(text, scheme = "https") {
  const split = text.search(/\r?\n\r?\n/);
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? "" : text.slice(split).replace(/^\r?\n\r?\n/, "");
  const [startLine, ...fieldLines] = head.split(/\r?\n/);
  const headers = fieldLines.map((line) => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  if (startLine.startsWith("HTTP/")) return { status: Number(startLine.split(" ")[1]), headers, body };
  const [method, target] = startLine.split(" ");
  const host = headers.find(([n]) => n.toLowerCase() === "host");
  if (!host) throw new Error("message without Host");
  return { method, url: `${scheme}://${host[1]}${target}`, headers, body };
}

// Combined value of a field (repeated lines joined with ", "), or undefined.
function header(msg, name) {
  const values = msg.headers.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return values.length ? values.join(", ") : undefined;
}

function withHeaders(msg, extra) {
  return { ...msg, headers: [...msg.headers, ...extra] };
}

// Copy with every field line passed through fn(name, value) -> value.
function mapHeaders(msg, fn) {
  return { ...msg, headers: msg.headers.map(([n, v]) => [n, fn(n.toLowerCase(), v)]) };
}

// { "lower-case-name": combined value }, what web-bot-auth@0.1.3 and http-message-signatures take.
function headerObject(msg) {
  const out = {};
  for (const [name] of msg.headers) out[name.toLowerCase()] = header(msg, name);
  return out;
}

// http-message-sig@0.3.0 RequestDescriptor / ResponseDescriptor (keeps field lines as they are).
function descriptor(msg, request) {
  if (msg.status !== undefined) {
    return { kind: "response", status: msg.status, fields: msg.headers.map(([name, value]) => ({ name, value })),
      request: request && descriptor(request) };
  }
  return {
    kind: "request",
    method: msg.method,
    targetUri: msg.url,
    fields: msg.headers.map(([name, value]) => ({ name, value })),
  };
}

// Copy served under another Host (e.g. "Example.COM:8443"; the url follows, lower-cased by URL).
function withHost(msg, host) {
  const u = new URL(msg.url);
  u.host = host;
  return { ...mapHeaders(msg, (n, v) => (n === "host" ? host : v)), url: u.href };
}

// Changes something every signature here covers: the Signature-Agent URL when the message has one
// (coverage of the agent is the point of Web Bot Auth), else the authority.
function tamper(msg) {
  if (header(msg, "signature-agent") !== undefined) {
    return mapHeaders(msg, (n, v) => (n === "signature-agent" ? v.replaceAll("https://", "https://evil.") : v));
  }
  const u = new URL(msg.url);
  u.host = `evil.${u.host}`;
  return { ...mapHeaders(msg, (n, v) => (n === "host" ? u.host : v)), url: u.href };
}

module.exports = {
  request, post, contentDigest, response, toHttp1, parseHttp1, header, withHeaders, withHost, mapHeaders,
  headerObject, descriptor, tamper,
};
