// What an origin is, for WS_ALLOWED_ORIGINS and the Origin header, and
// which Origin may open /v1/ws. config.test.ts checks how WS_ALLOWED_ORIGINS
// is read; the WebSocket tests, the check on a real upgrade.
import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { originAllowed, parseOrigin, whyNotAnOrigin } from "../src/origins.js";

describe("parseOrigin", () => {
  it("gives an origin in canonical form: lower case, no default port", () => {
    const canonical: [string, string][] = [
      ["https://app.example.com", "https://app.example.com"],
      ["HTTPS://App.Example.COM", "https://app.example.com"],
      ["https://other.example:443", "https://other.example"],
      ["http://localhost:80", "http://localhost"],
      ["http://localhost:5173", "http://localhost:5173"],
      ["https://app.example.com:8443", "https://app.example.com:8443"],
      ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
      ["http://[::1]:3000", "http://[::1]:3000"],
      ["https://bücher.example", "https://xn--bcher-kva.example"],
    ];
    for (const [text, origin] of canonical) {
      assert.equal(whyNotAnOrigin(text), undefined, text);
      assert.equal(parseOrigin(text), origin, text);
    }
  });

  const notOrigins: [string, string][] = [
    ["", "is empty"],
    ["https://app.example.com/", "has a path (write it without one, and without a trailing slash)"],
    ["https://app.example.com/path", "has a path (write it without one, and without a trailing slash)"],
    ["https://app.example.com\\path", "has a path (write it without one, and without a trailing slash)"],
    ["https://app.example.com?x=1", "has a query"],
    ["https://app.example.com?", "has a query"],
    ["https://app.example.com#top", "has a fragment"],
    ["https://user@app.example.com", "has a user or password"],
    ["https://user:pw@app.example.com", "has a user or password"],
    ["ftp://app.example.com", 'has the scheme "ftp", not http or https'],
    ["ws://app.example.com", 'has the scheme "ws", not http or https'],
    ["app.example.com", "does not start with http:// or https://"],
    ["localhost:5173", "does not start with http:// or https://"],
    ["http:app.example.com", "does not start with http:// or https://"],
    ["not an origin", "does not start with http:// or https://"],
    ["null", "does not start with http:// or https://"],
    ["*", "does not start with http:// or https://"],
    ["https://", "has no host"],
    ["https://:443", "has no host"],
    [
      "https://*.example.com",
      'has the character "*", which is not part of a host (a wildcard: list each origin instead)',
    ],
    ["https://app.exa\tmple.com", 'has the character "\\t", which is not part of a host'],
    ["https://app .example.com", 'has the character " ", which is not part of a host'],
    ["https://%61pp.example.com", 'has the character "%", which is not part of a host'],
    ["https://app_1.example.com", 'has the character "_", which is not part of a host'],
    ["https://app.example.com:", "has an empty port"],
    ["https://app.example.com:99999", "does not have a valid host and port"],
    ["https://app.example.com:x", "does not have a valid host and port"],
    ["https://[::1", "does not have a valid host and port"],
    ["https://app.example.com:0", "has the port 0"],
    ["https://-app.example.com", "has a host that is neither a host name nor an IP address"],
  ];
  for (const [text, why] of notOrigins) {
    it(`refuses ${JSON.stringify(text)}: ${why}`, () => {
      assert.equal(whyNotAnOrigin(text), why);
      assert.equal(parseOrigin(text), undefined);
    });
  }
});

describe("originAllowed", () => {
  const allowed = ["https://app.example.com", "http://localhost:5173"];

  it("lets in a request without Origin: it is not from a browser page", () => {
    assert.equal(originAllowed(undefined, "api.example.com", []), true);
    assert.equal(originAllowed(undefined, undefined, []), true);
  });

  it("accepts the origin of the Host the request was sent to, default ports included", () => {
    assert.equal(originAllowed("https://api.example.com", "api.example.com", []), true);
    assert.equal(originAllowed("http://api.example.com:8080", "API.example.com:8080", []), true);
    assert.equal(originAllowed("http://LOCALHOST:8080", "localhost:8080", []), true);
    assert.equal(originAllowed("https://api.example.com", "api.example.com:443", []), true);
    assert.equal(originAllowed("http://api.example.com", "api.example.com:80", []), true);
    assert.equal(originAllowed("http://[::1]:8080", "[::1]:8080", []), true);
  });

  it("accepts a listed origin, in any case", () => {
    assert.equal(originAllowed("https://app.example.com", "api.example.com", allowed), true);
    assert.equal(originAllowed("HTTPS://APP.EXAMPLE.COM", "api.example.com", allowed), true);
    assert.equal(originAllowed("https://app.example.com:443", "api.example.com", allowed), true);
    assert.equal(originAllowed("http://localhost:5173", undefined, allowed), true);
  });

  it("refuses any other origin", () => {
    for (const origin of [
      "https://api.example.com:8443",
      "https://evil.example",
      "https://app.example.com.evil.example",
      "http://app.example.com",
      "http://localhost:5174",
      "https://app.example.com/",
      "https://app.example.com/path",
      "null",
      "",
    ]) {
      assert.equal(originAllowed(origin, "api.example.com", allowed), false, origin);
    }
  });

  it("refuses the service's own origin when Host is missing or is not a host", () => {
    assert.equal(originAllowed("http://localhost:8080", undefined, []), false);
    assert.equal(originAllowed("http://localhost:8080", "", []), false);
    assert.equal(originAllowed("http://localhost:8080", "localhost:8080/x", []), false);
    assert.equal(originAllowed("http://localhost:8080", "user@localhost:8080", []), false);
    assert.equal(originAllowed("http://localhost:8080", "localhost:8081", []), false);
  });
});
