import type { LvmErrorCode } from "../../../src/lvm/index.ts";

/** One hostile payload: the contract's `main` (or `method`) must fail with `code`. */
export interface HostilePayload {
  readonly name: string;
  /** Full source, or the body of `main(...)` when `body` is used. */
  readonly source?: string;
  readonly body?: string;
  readonly method?: string;
  readonly args?: unknown[];
  readonly readOnly?: boolean;
  readonly gasLimit?: number;
  readonly code: LvmErrorCode;
  /** Optional substring the error message must contain. */
  readonly message?: string;
}

const big = 'local s = string.rep("x", 512 * 1024)';

export const HOSTILE_CORPUS: readonly HostilePayload[] = [
  // --- bytecode and loaders
  { name: "load is a forbidden name", body: 'return load("return 1")()', code: "LVM_FORBIDDEN" },
  { name: "loadstring forbidden", body: 'return loadstring("return 1")', code: "LVM_FORBIDDEN" },
  { name: "dofile forbidden", body: 'return dofile("/etc/passwd")', code: "LVM_FORBIDDEN" },
  { name: "loadfile forbidden", body: 'return loadfile("/etc/passwd")', code: "LVM_FORBIDDEN" },
  {
    name: "load reached through _G is absent",
    body: 'return _G["lo" .. "ad"]("return 1")',
    code: "LVM_RUNTIME",
  },
  { name: "string.dump is absent", body: "return string.dump(function() end)", code: "LVM_RUNTIME" },
  { name: "dump through the string metatable", body: 'return ("x").dump(main)', code: "LVM_RUNTIME" },
  { name: "binary chunk source", source: "\x1bLua\x53\x00\x19\x93\r\n\x1a\n", code: "LVM_FORBIDDEN" },
  { name: "binary chunk after a newline", source: "\n\x1bLua\x53\x00", code: "LVM_SYNTAX" },
  { name: "syntax error", source: "return {", code: "LVM_SYNTAX" },
  { name: "source too large", source: "return {}" + " ".repeat(64 * 1024), code: "LVM_LIMIT" },
  // --- forbidden libraries
  { name: "io", body: 'return io.open("/etc/passwd")', code: "LVM_FORBIDDEN" },
  { name: "os", body: 'return os.execute("id")', code: "LVM_FORBIDDEN" },
  { name: "debug", body: "debug.sethook()", code: "LVM_FORBIDDEN" },
  { name: "package", body: "return package.loaded", code: "LVM_FORBIDDEN" },
  { name: "require", body: 'return require("fs")', code: "LVM_FORBIDDEN" },
  { name: "coroutine", body: "return coroutine.wrap(function() end)", code: "LVM_FORBIDDEN" },
  { name: "collectgarbage", body: 'collectgarbage("stop")', code: "LVM_FORBIDDEN" },
  { name: "print", body: 'print("x")', code: "LVM_FORBIDDEN" },
  { name: "io through _G", body: 'return _G["i" .. "o"].open("x")', code: "LVM_RUNTIME" },
  { name: "os through _G", body: 'return _G["o" .. "s"].getenv("HOME")', code: "LVM_RUNTIME" },
  { name: "debug through _G", body: 'return _G["deb" .. "ug"].getregistry()', code: "LVM_RUNTIME" },
  { name: "coroutine.wrap through _G", body: 'return _G["corou" .. "tine"].wrap(main)', code: "LVM_RUNTIME" },
  { name: "math.random is absent", body: "return math.random(10)", code: "LVM_RUNTIME" },
  // --- metatable and environment tricks
  { name: "string metatable is hidden", body: 'return getmetatable("").__index', code: "LVM_RUNTIME" },
  { name: "string metatable cannot be replaced", body: 'setmetatable("", {})', code: "LVM_RUNTIME" },
  {
    name: "rebinding string.rep does not escape metering",
    body: 'local r = string.rep; setmetatable(string, {}); return #r("x", 2^30)',
    code: "LVM_LIMIT",
  },
  { name: "method syntax rep bomb", body: 'return #("x"):rep(1e9)', code: "LVM_LIMIT" },
  { name: "rawset on _G then fail", body: 'rawset(_G, "leak", 1); error("stop")', code: "LVM_RUNTIME" },
  { name: "_ENV replaced", body: "local _ENV = {}; return tostring(1)", code: "LVM_RUNTIME" },
  {
    name: "__index chain loop",
    body: "local t = setmetatable({}, {}); getmetatable(t).__index = t; return t.x",
    code: "LVM_RUNTIME",
    message: "'__index' chain too long",
  },
  {
    name: "__index function recursion",
    body: "local t = setmetatable({}, { __index = function(t, k) return t[k] end }); return t.x",
    code: "LVM_RUNTIME",
  },
  {
    name: "__gc finalizer never runs",
    body: 'setmetatable({}, { __gc = function() while true do end end }); error("gc")',
    code: "LVM_RUNTIME",
  },
  { name: "error with a table value", body: "error({ code = 1 })", code: "LVM_RUNTIME", message: "table" },
  {
    name: "error object with looping __tostring",
    body: "error(setmetatable({}, { __tostring = function() while true do end end }))",
    code: "LVM_RUNTIME",
  },
  // --- endless loops and sticky exhaustion
  { name: "while true", body: "while true do end", code: "LVM_OUT_OF_GAS" },
  { name: "goto loop", body: "::top:: goto top", code: "LVM_OUT_OF_GAS" },
  { name: "tail call loop", body: "local function f() return f() end return f()", code: "LVM_OUT_OF_GAS" },
  {
    name: "pcall around an endless loop",
    body: "pcall(function() while true do end end) return 1",
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "nested pcall retry",
    body: "for i = 1, 1e9 do pcall(function() pcall(function() while true do end end) end) end return 1",
    code: "LVM_OUT_OF_GAS",
  },
  { name: "pcall(error) spin", body: 'while true do pcall(error, "x") end', code: "LVM_OUT_OF_GAS" },
  {
    name: "xpcall with a looping handler",
    body: "xpcall(function() while true do end end, function() while true do end end) return 1",
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "deep recursion",
    body: "local function f(n) return 1 + f(n + 1) end return f(1)",
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "deep recursion with a small frame budget",
    body: "local function f(n) return 1 + f(n + 1) end return f(1)",
    gasLimit: 50_000_000,
    code: "LVM_RUNTIME",
    message: "stack overflow",
  },
  {
    name: "pcall nesting (C stack)",
    body: "local function f() return pcall(f) end local ok, e = f() error(e)",
    code: "LVM_RUNTIME",
  },
  // --- memory bombs
  { name: "string.rep huge", body: 'return #string.rep("x", 2^30)', code: "LVM_LIMIT" },
  { name: "string.rep with separator", body: 'return #string.rep("x", 2^20, "yy")', code: "LVM_LIMIT" },
  { name: "pcall(string.rep) is sticky", body: 'pcall(string.rep, "x", 1e9) return "ok"', code: "LVM_LIMIT" },
  {
    name: "s = s .. s doubling",
    body: 'local s = "x" for i = 1, 40 do s = s .. s end return #s',
    code: "LVM_LIMIT",
  },
  {
    name: "doubling inside pcall",
    body: 'pcall(function() local s = "x" for i = 1, 40 do s = s .. s end end) return 1',
    code: "LVM_LIMIT",
  },
  {
    name: "long concat chain (compile-time cap)",
    body: "local s = 'x' return s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s",
    code: "LVM_LIMIT",
  },
  {
    name: "concat chains of 16 in a loop",
    body: "local s = 'xx' for i = 1, 10 do s = s..s..s..s..s..s..s..s..s..s..s..s..s..s..s..s end return #s",
    code: "LVM_LIMIT",
  },
  {
    name: "many 512 KiB strings kept in a table",
    body: `${big} local t = {} for i = 1, 1e6 do t[i] = s .. i end`,
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "table.concat bomb",
    body: `${big} local t = {} for i = 1, 100 do t[i] = s end return #table.concat(t)`,
    code: "LVM_LIMIT",
  },
  {
    name: "table.concat over a huge range",
    body: 'return table.concat({}, "", 1, 1e9)',
    code: "LVM_OUT_OF_GAS",
  },
  { name: "string.format big %s", body: `${big} return string.format("%s%s%s", s, s, s)`, code: "LVM_LIMIT" },
  { name: "string.format %99999d", body: 'return string.format("%99999d", 1)', code: "LVM_RUNTIME" },
  { name: "huge table", body: "local t = {} for i = 1, 1e9 do t[i] = i end", code: "LVM_OUT_OF_GAS" },
  {
    name: "huge hash table",
    body: 'local t = {} for i = 1, 1e9 do t["k" .. i] = i end',
    code: "LVM_OUT_OF_GAS",
  },
  { name: "table.move bomb", body: "table.move({ 1 }, 1, 1e8, 2)", code: "LVM_OUT_OF_GAS" },
  { name: "table.unpack huge", body: "return select('#', table.unpack({}, 1, 1e6))", code: "LVM_LIMIT" },
  {
    name: "select('#') over a big unpack",
    body: "local t = {} for i = 1, 5000 do t[i] = i end return select('#', table.unpack(t))",
    code: "LVM_LIMIT",
  },
  {
    name: "string.byte of a long string",
    body: 'return select("#", string.byte(string.rep("a", 10000), 1, -1))',
    code: "LVM_LIMIT",
  },
  {
    name: "table.insert at the front, quadratic",
    body: "local t = {} for i = 1, 1e6 do table.insert(t, 1, i) end",
    gasLimit: 50_000_000,
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "string.rep of nothing, 2^31 - 1 times",
    body: 'for i = 1, 1e9 do string.rep("", 2^31 - 1) end',
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "utf8.codepoint of a long string",
    body: 'return select("#", utf8.codepoint(string.rep("a", 100000), 1, -1))',
    code: "LVM_LIMIT",
  },
  {
    name: "utf8.offset scans in a loop",
    body: 'local s = string.rep("a", 2^20) while true do utf8.offset(s, 2^20) end',
    code: "LVM_OUT_OF_GAS",
  },
  { name: "utf8.char out of range", body: "return utf8.char(0x7FFFFFFF + 1)", code: "LVM_RUNTIME" },
  {
    name: "comparing two 1 MiB strings in a loop",
    body: 'local a = string.rep("x", 2^20 - 1) .. "a" local b = string.rep("x", 2^20 - 1) .. "b" while true do local _ = a == b end',
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "ordering two 1 MiB strings in a loop",
    body: 'local a = string.rep("x", 2^20 - 1) .. "a" local b = string.rep("x", 2^20 - 1) .. "b" while true do local _ = a < b end',
    code: "LVM_OUT_OF_GAS",
  },
  {
    name: "fresh 1 MiB table keys",
    body: 'local a = string.rep("x", 2^20 - 1) local t = {} while true do t[a .. "k"] = 1 end',
    code: "LVM_OUT_OF_GAS",
  },
  // --- pattern bombs
  {
    name: "find with many quantifiers",
    body: 'return string.find(string.rep("a", 5000), "a*a*a*a*a*b")',
    code: "LVM_LIMIT",
    message: "pattern too complex",
  },
  {
    name: "match with lazy quantifiers",
    body: 'return string.match(string.rep("a", 3000), "(.-)(.-)(.-)x")',
    code: "LVM_LIMIT",
  },
  {
    name: "gmatch bomb",
    body: 'for w in string.gmatch(string.rep("a", 4000), "a-a-a-b") do end',
    code: "LVM_LIMIT",
  },
  {
    name: "pattern subject too large",
    body: 'return string.find(string.rep("a", 2^17), "b", 1, true)',
    code: "LVM_LIMIT",
  },
  {
    name: "string.rep + gsub growth",
    body: 'return #string.gsub(string.rep("a", 60000), "a", string.rep("b", 100))',
    code: "LVM_LIMIT",
  },
  {
    name: "gsub %0 expansion",
    body: 'return #string.gsub(string.rep("a", 60000), "a", "%0%0%0%0%0%0%0%0%0%0%0%0%0%0%0%0%0%0")',
    code: "LVM_LIMIT",
  },
  {
    name: "gsub with a function returning big strings",
    body: `${big} return #string.gsub(string.rep("a", 100), "a", function() return s end)`,
    code: "LVM_LIMIT",
  },
  {
    name: "gsub with a table of big strings",
    body: `${big} return #string.gsub(string.rep("a", 100), "a", { a = s })`,
    code: "LVM_LIMIT",
  },
  // --- numbers (fine and deterministic, but not JSON)
  { name: "math.huge result", body: "return math.huge * 2", code: "LVM_BAD_RESULT" },
  { name: "NaN result", body: "return 0 / 0", code: "LVM_BAD_RESULT" },
  {
    name: "integer wrap is deterministic",
    body: "error(tostring(math.maxinteger + 1))",
    code: "LVM_RUNTIME",
    message: "-2147483648",
  },
  // --- results and args
  { name: "returning a function", body: "return main", code: "LVM_BAD_RESULT" },
  { name: "returning a table with a function", body: "return { f = main }", code: "LVM_BAD_RESULT" },
  { name: "returning a cycle", body: "local t = {} t.t = t return t", code: "LVM_BAD_RESULT" },
  {
    name: "returning a huge table",
    body: "local t = {} for i = 1, 100000 do t[i] = i end return t",
    code: "LVM_BAD_RESULT",
    message: "JSON too large",
  },
  { name: "returning a sparse array", body: "return { 1, nil, 3 }", code: "LVM_BAD_RESULT" },
  { name: "returning mixed keys", body: "return { 1, a = 2 }", code: "LVM_BAD_RESULT" },
  { name: "chunk returns no table", source: "return 42", code: "LVM_BAD_RESULT" },
  { name: "unknown method", source: "return {}", method: "nope", code: "LVM_BAD_ARGS" },
  { name: "float argument", body: "return 1", args: [1.5], code: "LVM_BAD_ARGS" },
  { name: "oversized integer argument", body: "return 1", args: [2 ** 40], code: "LVM_BAD_ARGS" },
  // --- host API abuse
  { name: "write in a read-only call", body: 'lvo.set("k", "v")', readOnly: true, code: "LVM_RUNTIME" },
  { name: "event in a read-only call", body: 'lvo.emit("E")', readOnly: true, code: "LVM_RUNTIME" },
  {
    name: "transfer in a read-only call",
    body: 'lvo.transfer("0x01", "1")',
    readOnly: true,
    code: "LVM_RUNTIME",
  },
  { name: "stored value too large", body: 'lvo.set("k", string.rep("v", 16 * 1024 + 1))', code: "LVM_LIMIT" },
  { name: "too many events", body: 'for i = 1, 100 do lvo.emit("E", i) end', code: "LVM_LIMIT" },
  {
    name: "events caught by pcall stay fatal",
    body: 'for i = 1, 100 do pcall(lvo.emit, "E", i) end return 1',
    code: "LVM_LIMIT",
  },
  { name: "big negative input", body: 'return lvo.big.add("-1", "1")', code: "LVM_RUNTIME" },
  { name: "big underflow", body: 'return lvo.big.sub("1", "2")', code: "LVM_RUNTIME" },
  {
    name: "big overflow",
    body: 'return lvo.big.mul(string.rep("9", 78), string.rep("9", 78))',
    code: "LVM_RUNTIME",
  },
  { name: "big division by zero", body: 'return lvo.big.div("1", "0")', code: "LVM_RUNTIME" },
  {
    name: "deep JSON decode",
    body: 'return lvo.json.decode(string.rep("[", 100) .. string.rep("]", 100))',
    code: "LVM_RUNTIME",
  },
  {
    name: "JSON encode of a cycle",
    body: "local t = {} t[1] = t return lvo.json.encode(t)",
    code: "LVM_RUNTIME",
  },
  {
    name: "call depth bomb",
    body: 'return lvo.call(lvo.self(), "main", {})',
    code: "LVM_LIMIT",
    message: "call depth",
  },
];
