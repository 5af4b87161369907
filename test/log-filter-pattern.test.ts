/**
 * CloudWatch Logs' filter pattern language (src/core/log-filter/), table-driven from the examples on AWS's
 * "Filter pattern syntax" page: every pattern is shown an event it must match and one it must not.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileFilterPattern, FilterPatternError } from "../src/core/log-filter/index.js";

/** [pattern, events that match, events that do not]. */
type Case = readonly [string, readonly string[], readonly string[]];

const APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';
const APACHE_404 = '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2048';
const APACHE_500 = '10.0.0.9 - - [10/Oct/2000:13:50:35 -0700] "POST /pay HTTP/1.1" 500 12';
const APACHE_HTML = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 100';

const UNSTRUCTURED: readonly Case[] = [
  ["ERROR", ["[ERROR 400] BAD REQUEST", "[ERROR 401] UNAUTHORIZED REQUEST", "ERROR: payment-failed", "ERROR"], ["[INFO 200] OK", "error: lower case"]],
  ["ERROR", ["x ERROR y"], ["ERRORS happen", "MYERROR 1"]],
  ["Exception", ["java.lang.Exception: boom"], ["NullPointerException at line 3"]],
  ["ERROR ARGUMENTS", ["[ERROR 419] MISSING ARGUMENTS", "ARGUMENTS ERROR"], ["[ERROR 401] UNAUTHORIZED REQUEST", "[WARN] MISSING ARGUMENTS"]],
  ["ERROR 400", ["[ERROR 400] BAD REQUEST"], ["[ERROR 401] UNAUTHORIZED REQUEST"]],
  ["?ERROR ?ARGUMENTS", ["[ERROR 401] UNAUTHORIZED REQUEST", "[WARN] MISSING ARGUMENTS"], ["[INFO] all good"]],
  ["?ERROR ?WARN", ["WARN disk at 90%", "ERROR disk full"], ["INFO disk at 10%", "warn lower"]],
  ["?400 ?401", ["[ERROR 400] BAD REQUEST", "[ERROR 401] UNAUTHORIZED"], ["[ERROR 404] NOT FOUND"]],
  ['"INTERNAL SERVER ERROR"', ["[ERROR 500] INTERNAL SERVER ERROR"], ["[ERROR 500] INTERNAL ERROR", "internal server error"]],
  ['"ERROR 401"', ["[ERROR 401] UNAUTHORIZED REQUEST"], ["[ERROR 400] 401 BAD"]],
  ['"payment-failed"', ["ERROR payment-failed order=7"], ["ERROR payment failed"]],
  ['"user@example.com"', ["login user@example.com ok"], ["login user at example.com"]],
  ["ERROR -ARGUMENTS", ["[ERROR 400] BAD REQUEST"], ["[ERROR 419] MISSING ARGUMENTS", "[INFO] ok"]],
  ["ERROR -Exiting", ["ERROR Something failed"], ["ERROR Exiting now", "INFO Exiting"]],
  ['ERROR -"MISSING ARGUMENTS"', ["[ERROR 401] UNAUTHORIZED REQUEST"], ["[ERROR 419] MISSING ARGUMENTS"]],
  ["?ERROR ?WARN -health", ["ERROR db down"], ["WARN health check slow", "INFO ok"]],
  ["ERROR ?db ?cache", ["ERROR db down", "ERROR cache miss"], ["ERROR queue full", "WARN db down"]],
  ["payment-failed", ["ERROR payment-failed"], ["ERROR payment_failed", "payment-failedx"]],
  ["v1.2", ["deploy v1.2 done"], ["deploy v1.23 done"]],
  ["timeout", ["Task timed out; timeout=3s", "timeout"], ["Timeout", "timeouts"]],
  ["REPORT RequestId", ["REPORT RequestId: 123 Duration: 1 ms"], ["START RequestId: 123", "REPORT requestid: 123"]],
  ["ERROR", ["\tERROR\tat tab"], ["E R R O R"]],
  ["42", ["answer 42 found", "id=42"], ["answer 421 found"]],
  ["%AUTHORIZED%", ["[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"], ["[ERROR 404] NOT FOUND"]],
  ["%colou?r%", ["color", "the colour"], ["colr"]],
  ["%gray|grey%", ["gray cat", "grey dog"], ["green"]],
  ["%^ERROR%", ["ERROR at start"], ["at end ERROR"]],
  ["%done$%", ["job done"], ["done job"]],
  ["%10\\.10\\.0\\.1%", ["from 10.10.0.1"], ["from 10a10b0c1"]],
  ["%[0-9]{3}ms%", ["took 250ms"], ["took 25ms", "took ms"]],
  ["%ERR[A-Z]+%", ["ERRNO", "ERRORS"], ["ERR1"]],
  ["%user=[a-z]+%", ["user=alice"], ["user=ALICE", "user="]],
  ["%a.c%", ["abc", "a-c"], ["ac"]],
  ["%x+y%", ["xxxy"], ["y only"]],
  ["%path=/api/v1%", ["path=/api/v1/users"], ["path=/api/v2"]],
  ["%#tag%", ["post #tag"], ["post tag"]],
  ["%ERROR% %db%", ["ERROR db"], ["ERROR cache", "db ok"]],
  ["ERROR %[0-9]+%", ["ERROR 500"], ["ERROR none", "500 only"]],
  ["-DEBUG", ["INFO hello"], ["DEBUG hello"]],
  ["?%WARN% ?%ERROR%", ["WARNING lots", "xERRORx"], ["INFO"]],
  ['"[ERROR]"', ["2024 [ERROR] x"], ["2024 ERROR x"]],
  ['"a\\"b"', ['quote a"b here'], ["quote ab here"]],
  ["Task timed out", ["Task timed out after 3.00 seconds"], ["Task finished"]],
  ["START -REPORT", ["START RequestId: 1"], ["START REPORT"]],
  ["?timed ?Timeout -INFO", ["Task timed out"], ["INFO Task timed out", "nothing"]],
  ["ERROR:", ["ERROR: x"], ["ERROR x", "ERRORx:"]],
  ["/api/v1", ["GET /api/v1 200"], ["GET /api/v2 200"]],
  ["_internal", ["call _internal now"], ["call internal now"]],
  ['"ERROR" "db"', ["ERROR in db"], ["ERROR in cache"]],
  ['?"disk full" ?"out of memory"', ["fatal: out of memory", "disk full!"], ["disk fine"]],
  ["%[A-Z]{5}%", ["ERROR"], ["Error"]],
  ["%\\d+%", ["code 42"], ["code x"]],
  ["%[^0-9]+=1%", ["abc=1"], ["123=1", "=1"]],
  ["%ab{2,3}c%", ["abbc", "xabbbcx"], ["abc", "abbbbc"]],
  ["%ab{2,}c%", ["abbbbbc"], ["abc"]],
  ["%x.*?y%", ["x then y"], ["y then x"]],
  ["%^$%", [""], ["x"]],
  ["%\\w+@\\w+%", ["mail bob@example"], ["@ alone"]],
];

const JSON_CASES: readonly Case[] = [
  ['{ $.eventType = "UpdateTrail" }', ['{"eventType":"UpdateTrail"}'], ['{"eventType":"CreateTrail"}', "eventType UpdateTrail", '{"other":"UpdateTrail"}']],
  ["{ $.eventType = UpdateTrail }", ['{"eventType":"UpdateTrail"}'], ['{"eventType":"UpdateTrails"}']],
  ['{ $.level = "ERROR" }', ['{"level":"ERROR","msg":"x"}'], ['{"level":"error"}', '{"level":"INFO"}']],
  ['{ $.level != "ERROR" }', ['{"level":"INFO"}'], ['{"level":"ERROR"}', '{"other":1}']],
  ['{ $.eventType = "Update*" }', ['{"eventType":"UpdateTrail"}', '{"eventType":"Update"}'], ['{"eventType":"CreateTrail"}']],
  ['{ $.eventType = "*Trail" }', ['{"eventType":"DeleteTrail"}'], ['{"eventType":"TrailDelete"}']],
  ["{ $.sourceIPAddress != 123.123.* }", ['{"sourceIPAddress":"10.0.0.1"}'], ['{"sourceIPAddress":"123.123.4.5"}']],
  ["{ $.sourceIPAddress = 123.123.* }", ['{"sourceIPAddress":"123.123.4.5"}'], ['{"sourceIPAddress":"123.124.4.5"}']],
  ['{ $.path = "*" }', ['{"path":"/x"}', '{"path":""}'], ['{"other":"/x"}', '{"path":{"a":1}}']],
  ["{ $.latency > 500 }", ['{"latency":501}', '{"latency":1e3}'], ['{"latency":500}', '{"latency":"slow"}', '{"other":900}']],
  ["{ $.latency >= 500 }", ['{"latency":500}'], ['{"latency":499.9}']],
  ["{ $.latency < 100 }", ['{"latency":99}', '{"latency":-3}'], ['{"latency":100}']],
  ["{ $.latency <= 100 }", ['{"latency":100}'], ['{"latency":100.5}']],
  ["{ $.bandwidth > 75 }", ['{"bandwidth":80}'], ['{"bandwidth":70}']],
  ["{ $.latency > 0.5 }", ['{"latency":0.75}'], ['{"latency":0.25}']],
  ["{ $.delta < -10 }", ['{"delta":-11}'], ['{"delta":-9}']],
  ["{ $.user.id = 1 }", ['{"user":{"id":1}}', '{"user":{"id":1.0}}'], ['{"user":{"id":2}}', '{"user":{"name":1}}']],
  ["{ $.user.id != 1 }", ['{"user":{"id":2}}'], ['{"user":{"id":1}}']],
  ["{ $.code = 404 }", ['{"code":404}', '{"code":"404"}'], ['{"code":4040}']],
  ["{ $.a.b.c = deep }", ['{"a":{"b":{"c":"deep"}}}'], ['{"a":{"b":{"c":"shallow"}}}', '{"a":{"b":"deep"}}']],
  ['{ $.arrayKey[0] = "value" }', ['{"arrayKey":["value","other"]}'], ['{"arrayKey":["other","value"]}', '{"arrayKey":"value"}']],
  ["{ $.objectList[1].id = 2 }", ['{"objectList":[{"id":1},{"id":2}]}'], ['{"objectList":[{"id":2},{"id":1}]}', '{"objectList":[{"id":2}]}']],
  ["{ $.coordinates[0][1] = 330 }", ['{"coordinates":[[0,330],[1,2]]}'], ['{"coordinates":[[330,0]]}']],
  ['{ $.users[0].email = "John.Doe@example.com" }', ['{"users":[{"email":"John.Doe@example.com"}]}'], ['{"users":[{"email":"john.doe@example.com"}]}']],
  ['{ $.tags[*] = "prod" }', ['{"tags":["dev","prod"]}'], ['{"tags":["dev","test"]}', '{"tags":[]}']],
  ["{ $.items[*].qty > 10 }", ['{"items":[{"qty":1},{"qty":11}]}'], ['{"items":[{"qty":1},{"qty":10}]}']],
  ["{ $.SomeObject IS NULL }", ['{"SomeObject":null}'], ['{"SomeObject":{}}', "{}", '{"SomeObject":"null"}']],
  ["{ $.SomeOtherObject NOT EXISTS }", ['{"SomeObject":null}', "{}"], ['{"SomeOtherObject":null}', '{"SomeOtherObject":1}']],
  ["{ $.ThisFlag IS TRUE }", ['{"ThisFlag":true}'], ['{"ThisFlag":false}', '{"ThisFlag":"true"}', "{}"]],
  ["{ $.ThisFlag IS FALSE }", ['{"ThisFlag":false}'], ['{"ThisFlag":true}', '{"ThisFlag":0}']],
  ['{ $.level = "ERROR" && $.latency > 500 }', ['{"level":"ERROR","latency":900}'], ['{"level":"ERROR","latency":100}', '{"level":"INFO","latency":900}']],
  ['{ $.level = "ERROR" || $.latency > 500 }', ['{"level":"ERROR","latency":1}', '{"level":"INFO","latency":900}'], ['{"level":"INFO","latency":1}']],
  ['{ ($.latency > 100) && ($.path != "/health") }', ['{"latency":150,"path":"/api"}'], ['{"latency":150,"path":"/health"}', '{"latency":50,"path":"/api"}']],
  ['{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', ['{"user":{"id":1},"users":[{"email":"John.Doe@example.com"}]}'], ['{"user":{"id":2},"users":[{"email":"John.Doe@example.com"}]}']],
  ['{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', ['{"user":{"id":1},"actions":["a","b","GET"]}', '{"user":{"id":2},"users":[{"email":"nonmatch"}]}'], ['{"user":{"id":2},"actions":["GET"]}']],
  ['{ $.a = 1 || $.b = 2 && $.c = 3 }', ['{"a":1}', '{"b":2,"c":3}'], ['{"b":2,"c":4}']],
  ['{ ($.a = 1 || $.b = 2) && $.c = 3 }', ['{"a":1,"c":3}', '{"b":2,"c":3}'], ['{"a":1}', '{"b":2,"c":4}']],
  ["{ (($.a = 1)) }", ['{"a":1}'], ['{"a":0}']],
  ["{ $.message = %ERR[A-Z]+% }", ['{"message":"ERROR here"}'], ['{"message":"all fine"}']],
  ["{ $.ip = %^10\\.0\\.% }", ['{"ip":"10.0.3.4"}'], ['{"ip":"110.0.3.4"}']],
  ['{ $.msg = "payment failed" }', ['{"msg":"payment failed"}'], ['{"msg":"payment  failed"}']],
  ['{ $.msg = "*failed*" }', ['{"msg":"payment failed for 7"}'], ['{"msg":"payment ok"}']],
  ['{ $.k = "a.b" }', ['{"k":"a.b"}'], ['{"k":"axb"}']],
  ['{ $.k = "a(b)" }', ['{"k":"a(b)"}'], ['{"k":"ab"}']],
  ["{ $.count = 0 }", ['{"count":0}'], ['{"count":1}']],
  ["{ $.eventType = UpdateTrail }", ['  {"eventType":"UpdateTrail"}  '], ['prefix {"eventType":"UpdateTrail"}']],
  ["{ $.level = ERROR }", ['{"level":"ERROR","nested":{"level":"INFO"}}'], ['{"nested":{"level":"ERROR"}}']],
  ["{ $.ok IS TRUE && $.count > 1 }", ['{"ok":true,"count":2}'], ['{"ok":true,"count":1}', '{"ok":false,"count":2}']],
  ["{ $.x NOT EXISTS || $.x IS NULL }", ["{}", '{"x":null}'], ['{"x":1}']],
  ['{ $.region = "us-*-1" }', ['{"region":"us-east-1"}', '{"region":"us-west-1"}'], ['{"region":"us-west-2"}']],
  ['{ $.http.method = "GET" && $.http.status >= 500 }', ['{"http":{"method":"GET","status":503}}'], ['{"http":{"method":"GET","status":200}}', '{"http":{"method":"PUT","status":503}}']],
  ["{ $.list[0] IS NULL }", ['{"list":[null]}'], ['{"list":[1]}', '{"list":[]}']],
  ["{ $.list[5] NOT EXISTS }", ['{"list":[1,2]}'], ['{"list":[0,1,2,3,4,5]}']],
  ["{ $.requestParameters.bucketName = my-bucket }", ['{"requestParameters":{"bucketName":"my-bucket"}}'], ['{"requestParameters":{"bucketName":"other"}}']],
  ['{ $.errorCode = "*UnauthorizedOperation" || $.errorCode = "AccessDenied*" }', ['{"errorCode":"Client.UnauthorizedOperation"}', '{"errorCode":"AccessDeniedException"}'], ['{"errorCode":"ThrottlingException"}']],
  ["{ $.size > 1e3 }", ['{"size":1001}'], ['{"size":999}']],
  ["{ $[0] = first }", ['["first","second"]'], ['["second","first"]']],
  ["{ $.duration >= 1000 && $.duration < 2000 }", ['{"duration":1500}'], ['{"duration":2500}', '{"duration":999}']],
  ['{ $.user.name != "admin" && $.action = "delete" }', ['{"user":{"name":"bob"},"action":"delete"}'], ['{"user":{"name":"admin"},"action":"delete"}']],
  ["{ $.nested.flag IS FALSE || $.nested NOT EXISTS }", ['{"nested":{"flag":false}}', "{}"], ['{"nested":{"flag":true}}']],
];

const DELIMITED: readonly Case[] = [
  ["[ip, user, username, timestamp, request, status_code, bytes]", [APACHE, APACHE_404], ["only three fields", `${APACHE} extra`]],
  ["[ip, user, username, timestamp, request, status_code = 404, bytes]", [APACHE_404], [APACHE]],
  ["[ip, user, username, timestamp, request, status_code = 4*, bytes]", [APACHE_404], [APACHE, APACHE_500]],
  ["[ip, user, username, timestamp, request, status_code != 200, bytes]", [APACHE_404, APACHE_500], [APACHE]],
  ["[ip, user, username, timestamp, request, status_code >= 400, bytes]", [APACHE_404, APACHE_500], [APACHE]],
  ["[ip, user, username, timestamp, request, status_code < 300, bytes]", [APACHE], [APACHE_404]],
  ["[ip, user, username, timestamp, request, status_code, bytes > 1000]", [APACHE, APACHE_404], [APACHE_500]],
  ["[ip, user, username, timestamp, request, status_code, bytes <= 100]", [APACHE_500, APACHE_HTML], [APACHE]],
  ["[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", [APACHE_HTML], [APACHE_404]],
  ['[ip, user, username, timestamp, request = "*html*", status_code, bytes]', [APACHE_HTML], [APACHE]],
  ['[ip, user, username, timestamp, request = "POST *", status_code, bytes]', [APACHE_500], [APACHE]],
  ["[ip, user, username = frank, timestamp, request, status_code, bytes]", [APACHE], [APACHE_500]],
  ['[ip, user, username = "-", timestamp, request, status_code, bytes]', [APACHE_500], [APACHE]],
  ["[ip = 127.0.0.1, ...]", [APACHE], [APACHE_500]],
  ["[ip = 127.0.*, ...]", [APACHE], [APACHE_500]],
  ["[ip = %^10\\.0\\.0\\.[1-9]$%, ...]", [APACHE_500], [APACHE]],
  ["[..., status_code, bytes]", [APACHE, "a b"], ["single"]],
  ["[..., status_code = 500, bytes]", [APACHE_500], [APACHE]],
  ["[ip, ..., bytes > 2000]", [APACHE_404], [APACHE]],
  ["[ip, user, ..., status_code = 404, bytes]", [APACHE_404], [APACHE]],
  ["[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]", [APACHE_404, APACHE_500], [APACHE]],
  ["[ip, user, username, timestamp, request, status_code >= 400 && status_code < 500, bytes]", [APACHE_404], [APACHE_500, APACHE]],
  ["[ip, user, username, timestamp, request, status_code = 4* && status_code != 404, bytes]", [APACHE_404.replace(" 404 ", " 403 ")], [APACHE_404]],
  ["[w1 = ERROR, w2]", ["ERROR payment-failed"], ["WARN payment-failed", "ERROR payment failed"]],
  ["[w1 = ERROR, ...]", ["ERROR payment failed order 7"], ["INFO ERROR x"]],
  ["[level, code = 5*]", ["ERROR 503"], ["ERROR 403"]],
  ["[a, b, c]", ["1 2 3", "1  2   3"], ["1 2", "1 2 3 4"]],
  ["[a]", ["single"], ["two words"]],
  ["[...]", ["anything at all", ""], []],
  ["[a, ..., z = end]", ["start middle more end", "start end"], ["start middle"]],
  ['[time, level = "ERROR", msg]', ['12:00 ERROR "db is down"'], ["12:00 ERROR db is down"]],
  ["[time, level, msg = *down*]", ['12:00 ERROR "db is down"'], ['12:00 ERROR "db is up"']],
  ["[ts, bracket = *GET*, rest]", ["1 [GET /a HTTP] 200"], ["1 [POST /a] 200"]],
  ["[a = 1, b = 2]", ["1 2"], ["1 3", "2 1"]],
  ["[a > 1.5, b]", ["2 x"], ["1.5 x", "abc x"]],
  ["[a = -1, b]", ["-1 x"], ["1 x"]],
  ["[msg = %fail[a-z]*%, ...]", ["failure now", "failed"], ["success"]],
  ["[a = x || a = y, b]", ["x 1", "y 1"], ["z 1"]],
  ["[date, time, level = ERROR, ...]", ["2024-01-01 12:00:00 ERROR db down"], ["2024-01-01 12:00:00 INFO ok"]],
  ["[..., latency > 100]", ["GET /a 150"], ["GET /a 50"]],
  ["[verb = GET || verb = HEAD, path, ...]", ["HEAD / 200", "GET /x"], ["POST / 200"]],
  ["[id, level != DEBUG, ...]", ["1 INFO x"], ["1 DEBUG x"]],
  ["[a, b = *, c]", ["1 anything 3"], ["1 2"]],
  ["[a, b <= 0, c]", ["x 0 y", "x -5 y"], ["x 1 y"]],
];

const INVALID: readonly string[] = [
  "{ $.a = 1",
  "$.a = 1 }",
  "{ }",
  "{ a = 1 }",
  "{ $.a }",
  "{ $.a == 1 }",
  "{ $.a = }",
  "{ $.a > abc }",
  "{ ($.a = 1 }",
  "{ $.a = 1 && }",
  "{ $.a IS MAYBE }",
  "{ $.a NOT THERE }",
  '{ $.a = "unterminated }',
  "{ $.a = %x% || $.b = %y% || $.c = %z% }",
  "{ $.a = %(x)% }",
  "[a, b",
  "[]",
  "[a, a]",
  "[1a, b]",
  "[a == 1, b]",
  "[a = 1 && b = 2, c]",
  "[a = %x%, b = %y%, c = %z%]",
  "email@domain.com",
  '""',
  "%something!%",
  "%(group)%",
  "%%",
  "%é%",
  '"unterminated',
  "ERROR }",
  "a*b",
];

function check(cases: readonly Case[]): void {
  for (const [pattern, yes, no] of cases) {
    it(`${pattern}`, () => {
      const compiled = compileFilterPattern(pattern);
      for (const message of yes) assert.ok(compiled.match(message), `${pattern} should match ${JSON.stringify(message)}`);
      for (const message of no) assert.equal(compiled.match(message), undefined, `${pattern} should not match ${JSON.stringify(message)}`);
    });
  }
}

describe("filter patterns: unstructured terms, phrases, ?OR, -exclusions, %regex%", () => check(UNSTRUCTURED));
describe("filter patterns: JSON", () => check(JSON_CASES));
describe("filter patterns: space-delimited", () => check(DELIMITED));

describe("filter patterns: what CloudWatch refuses", () => {
  for (const pattern of INVALID) {
    it(`refuses ${pattern}`, () => {
      assert.throws(() => compileFilterPattern(pattern), (error: Error) => {
        assert.ok(error instanceof FilterPatternError, String(error));
        assert.match(error.message, /^Invalid filter pattern/);
        return true;
      });
    });
  }
});

describe("filter patterns: %regex% is matched in linear time, as RegExp would match it", () => {
  it("agrees with JavaScript's RegExp on the documented subset", () => {
    const regexes = ["a.c", "^ab", "bc$", "a|x", "[a-c]+d", "[^a]b", "a{2}", "a{1,2}b", "\\.", "\\d\\d", "colou?r", "x*y+z?", "[-a]"];
    const texts = ["", "abc", "aabd", "xb", "aab", "a.b", "12", "colour", "color", "xyyz", "y", "-", "b"];
    for (const body of regexes) {
      const pattern = compileFilterPattern(`%${body}%`);
      for (const text of texts) assert.equal(Boolean(pattern.match(text)), new RegExp(body).test(text), `%${body}% on ${JSON.stringify(text)}`);
    }
  });

  it("a pattern that makes a backtracking engine explode answers at once over a 256 KB event", () => {
    const started = Date.now();
    const event = "a".repeat(256 * 1024);
    assert.equal(compileFilterPattern("%a*a*a*a*a*a*b%").match(event), undefined);
    assert.ok(compileFilterPattern("%a*a*a*a*a*a*a$%").match(event));
    // A backtracking engine needs on the order of n^7 steps here; the set-of-states matcher a few million.
    assert.ok(Date.now() - started < 60_000, `${Date.now() - started} ms`);
  });

  it("wildcards and several `...` stay cheap on a 256 KB event", () => {
    const started = Date.now();
    const words = Array.from({ length: 40_000 }, (_, i) => `w${i % 7}`).join(" ");
    assert.equal(compileFilterPattern("[..., a = x, ..., b = y, ..., c = z, ...]").match(words), undefined);
    const found = compileFilterPattern("[first, ..., a = w3, ..., last]").match(words);
    assert.deepEqual(found?.extracted, { $first: "w0", $a: "w3", $last: `w${39_999 % 7}` });
    const json = JSON.stringify({ v: "a".repeat(256 * 1024) });
    assert.equal(compileFilterPattern(`{ $.v = "${"*a".repeat(200)}*b" }`).match(json), undefined);
    assert.ok(compileFilterPattern(`{ $.v = "${"*a".repeat(200)}*" }`).match(json));
    assert.ok(Date.now() - started < 60_000, `${Date.now() - started} ms`);
  });

  it("refuses a repetition that expands too far", () => {
    assert.throws(() => compileFilterPattern("%a{5000}%"), FilterPatternError);
  });
});

describe("filter patterns: the empty pattern and extracted values", () => {
  it("an empty or blank pattern matches every event", () => {
    for (const p of [undefined, "", "   "]) assert.ok(compileFilterPattern(p).match("anything"));
  });

  it("space-delimited fields are extracted as $name, with quotes and brackets removed", () => {
    const m = compileFilterPattern("[ip, user, username, timestamp, request, status_code, bytes]").match(APACHE);
    assert.deepEqual(m?.extracted, {
      $ip: "127.0.0.1", $user: "-", $username: "frank", $timestamp: "10/Oct/2000:13:25:15 -0700",
      $request: "GET /apache_pb.gif HTTP/1.0", $status_code: "200", $bytes: "1534",
    });
    assert.equal(m?.value("$bytes"), "1534");
    assert.equal(m?.value("$nope"), undefined);
  });

  it("JSON selectors are extracted, and any $.path can be a metric value", () => {
    const pattern = compileFilterPattern('{ $.level = "ERROR" && $.latency > 500 }');
    const m = pattern.match('{"level":"ERROR","latency":900,"bytes":12,"nested":{"n":3},"ok":true}');
    assert.deepEqual(m?.extracted, { "$.level": "ERROR", "$.latency": "900" });
    assert.equal(m?.value("$.bytes"), "12");
    assert.equal(m?.value("$.nested.n"), "3");
    assert.equal(m?.value("$.ok"), "true");
    assert.equal(m?.value("$.nested"), undefined, "an object is no metric value");
    assert.equal(pattern.canExtract("$.anything"), true);
    assert.equal(pattern.canExtract("$bytes"), false);
  });

  it("a delimited pattern can extract only the fields it names; terms extract nothing", () => {
    const delimited = compileFilterPattern("[ip, ..., bytes]");
    assert.equal(delimited.canExtract("$bytes"), true);
    assert.equal(delimited.canExtract("$size"), false);
    assert.deepEqual(compileFilterPattern("ERROR").match("ERROR x")?.extracted, {});
    assert.equal(compileFilterPattern("ERROR").canExtract("$x"), false);
  });

  it("the table has at least 150 cases, each with an event that matches and one that does not", () => {
    const all = [...UNSTRUCTURED, ...JSON_CASES, ...DELIMITED].filter(([p]) => p !== "[...]");
    for (const [p, yes, no] of all) assert.ok(yes.length > 0 && no.length > 0, p);
    assert.ok(all.length >= 150, `${all.length} cases`);
  });
});
