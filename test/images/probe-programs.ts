/**
 * The attack probes of test/images/probes.test.ts, written in each language with its own
 * primitives (its file API, its process API, its allocator), so each runtime's way of doing the
 * attack meets the sandbox:
 * - `read`: print `/etc/shadow` (root-only in every image; the host's must never show either);
 * - `write`: create `/bulkhead-probe-written` in the read-only root, then print WRITTEN;
 * - `fork`: start 200 processes that each print `x` and sleep (bounded: the loop stops by itself);
 * - `memory`: allocate and touch far more than the run's memory limit (bounded: 4 GiB at most).
 * A probe a language cannot express is left out with the reason in `missing`.
 */
import { ASSEMBLY_PROBES, C_PROBES } from './probe-programs-native.js';

export interface LanguageProbes {
  read: string;
  write: string;
  fork?: string;
  memory?: string;
  /** Why a probe is absent. */
  missing?: string;
}

const SH_BG = '(echo x; exec sleep 30) &';
const PY: LanguageProbes = {
  read: "print(open('/etc/shadow').read())\n",
  write: "open('/bulkhead-probe-written', 'w').write('x')\nprint('WRITTEN')\n",
  fork: `import os\nfor _ in range(200):\n    os.system("${SH_BG}")\n`,
  memory: "s = 'x'\nfor _ in range(40):\n    s = s + s\nprint(len(s))\n",
};
const JS_FORK =
  "const { spawn } = require('child_process');\nfor (let i = 0; i < 200; i++) {\n  spawn('/bin/sh', ['-c', 'echo x; exec sleep 30'], { stdio: 'inherit' }).on('error', () => {});\n}\n";
const JS: LanguageProbes = {
  read: "console.log(require('fs').readFileSync('/etc/shadow', 'utf8'));\n",
  write: "require('fs').writeFileSync('/bulkhead-probe-written', 'x');\nconsole.log('WRITTEN');\n",
  fork: JS_FORK,
  // V8 concatenates strings lazily (ropes), so Buffers, which are filled at once.
  memory: 'const kept = [];\nfor (let i = 0; i < 64; i++) kept.push(Buffer.alloc(64 * 1024 * 1024, 1));\nconsole.log(kept.length);\n',
};
/** TypeScript has no Node typings in Debian 12: the probes declare what they use. */
const TS_PRELUDE = 'declare const require: any;\ndeclare const Buffer: any;\n';
const TS: LanguageProbes = {
  read: TS_PRELUDE + JS.read,
  write: TS_PRELUDE + JS.write,
  fork: TS_PRELUDE + JS_FORK,
  memory: TS_PRELUDE + 'const kept: unknown[] = [];\nfor (let i = 0; i < 64; i++) kept.push(Buffer.alloc(64 * 1024 * 1024, 1));\nconsole.log(kept.length);\n',
};
const JAVA: LanguageProbes = {
  read: 'public class Main { public static void main(String[] a) throws Exception {\n  System.out.print(new String(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/etc/shadow"))));\n} }\n',
  write:
    'public class Main { public static void main(String[] a) throws Exception {\n  java.nio.file.Files.write(java.nio.file.Paths.get("/bulkhead-probe-written"), new byte[] {1});\n  System.out.println("WRITTEN");\n} }\n',
  fork: 'public class Main { public static void main(String[] a) {\n  for (int i = 0; i < 200; i++) {\n    try { new ProcessBuilder("/bin/sh", "-c", "echo x; exec sleep 30").inheritIO().start(); } catch (Exception e) { }\n  }\n} }\n',
  memory:
    'public class Main { public static void main(String[] a) {\n  java.util.List<byte[]> kept = new java.util.ArrayList<>();\n  for (int i = 0; i < 64; i++) { byte[] b = new byte[64 << 20]; java.util.Arrays.fill(b, (byte) 1); kept.add(b); }\n  System.out.println(kept.size());\n} }\n',
};
const GO: LanguageProbes = {
  read: 'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() {\n\tb, err := os.ReadFile("/etc/shadow")\n\tif err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Print(string(b))\n}\n',
  write:
    'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc main() {\n\tif err := os.WriteFile("/bulkhead-probe-written", []byte("x"), 0o644); err != nil {\n\t\tpanic(err)\n\t}\n\tfmt.Println("WRITTEN")\n}\n',
  fork: 'package main\n\nimport (\n\t"os"\n\t"os/exec"\n)\n\nfunc main() {\n\tfor i := 0; i < 200; i++ {\n\t\tc := exec.Command("/bin/sh", "-c", "echo x; exec sleep 30")\n\t\tc.Stdout = os.Stdout\n\t\t_ = c.Start()\n\t}\n}\n',
  memory:
    'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar kept [][]byte\n\tfor i := 0; i < 64; i++ {\n\t\tb := make([]byte, 64<<20)\n\t\tfor j := range b {\n\t\t\tb[j] = 1\n\t\t}\n\t\tkept = append(kept, b)\n\t}\n\tfmt.Println(len(kept))\n}\n',
};
const RUST: LanguageProbes = {
  read: 'fn main() {\n    print!("{}", std::fs::read_to_string("/etc/shadow").unwrap());\n}\n',
  write: 'fn main() {\n    std::fs::write("/bulkhead-probe-written", "x").unwrap();\n    println!("WRITTEN");\n}\n',
  fork: 'fn main() {\n    for _ in 0..200 {\n        let _ = std::process::Command::new("/bin/sh").args(["-c", "echo x; exec sleep 30"]).spawn();\n    }\n}\n',
  memory: 'fn main() {\n    let mut kept: Vec<Vec<u8>> = Vec::new();\n    for _ in 0..64 {\n        kept.push(vec![1u8; 64 << 20]);\n    }\n    println!("{}", kept.len());\n}\n',
};
const RUBY: LanguageProbes = {
  read: "print File.read('/etc/shadow')\n",
  write: "File.write('/bulkhead-probe-written', 'x')\nputs 'WRITTEN'\n",
  fork: `200.times { system("${SH_BG}") }\n`,
  memory: "s = 'x'\n40.times { s = s + s }\nputs s.size\n",
};
const ERLANG_HEAD = '-module(main).\n-export([main/0]).\n';
const JVM_FORK_ARGS = '"/bin/sh", "-c", "echo x; exec sleep 30"';

/** By language name; every image of a language runs its language's probes. */
export const PROBES: Readonly<Record<string, LanguageProbes>> = {
  c: C_PROBES,
  assembly: ASSEMBLY_PROBES,
  cpp: C_PROBES,
  'objective-c': C_PROBES,
  python: PY,
  pypy: PY,
  javascript: JS,
  typescript: TS,
  java: JAVA,
  go: GO,
  rust: RUST,
  ruby: RUBY,
  bash: {
    read: 'cat /etc/shadow\n',
    write: 'echo x > /bulkhead-probe-written && echo WRITTEN\n',
    fork: `for i in $(seq 200); do ${SH_BG} done\n`,
    memory: 's=x; for i in $(seq 40); do s=$s$s; done; echo done\n',
  },
  perl: {
    read: "open(my $f, '<', '/etc/shadow') or die \"no: $!\";\nprint while <$f>;\n",
    write: 'open(my $f, \'>\', \'/bulkhead-probe-written\') or die "no: $!";\nprint "WRITTEN\\n";\n',
    fork: `system("${SH_BG}") for 1..200;\n`,
    memory: 'my $s = \'x\';\n$s = $s . $s for 1..40;\nprint length($s), "\\n";\n',
  },
  php: {
    read: "<?php\necho file_get_contents('/etc/shadow');\n",
    write: "<?php\nif (file_put_contents('/bulkhead-probe-written', 'x') !== false) echo \"WRITTEN\\n\";\n",
    // system() would wait for the background child's end of the output pipe: fork directly.
    fork: '<?php\nfor ($i = 0; $i < 200; $i++) {\n  if (pcntl_fork() === 0) { echo "x\\n"; sleep(30); exit(0); }\n}\n',
    memory: "<?php\nini_set('memory_limit', '-1');\n$s = 'x';\nfor ($i = 0; $i < 40; $i++) $s .= $s;\necho strlen($s), \"\\n\";\n",
  },
  lua: {
    read: "local f = assert(io.open('/etc/shadow'))\nio.write(f:read('a'))\n",
    write: "local f = assert(io.open('/bulkhead-probe-written', 'w'))\nf:write('x')\nprint('WRITTEN')\n",
    fork: `for i = 1, 200 do os.execute("${SH_BG}") end\n`,
    memory: "local s = 'x'\nfor i = 1, 40 do s = s .. s end\nprint(#s)\n",
  },
  tcl: {
    read: 'set f [open /etc/shadow]\nputs [read $f]\n',
    write: 'set f [open /bulkhead-probe-written w]\nputs WRITTEN\n',
    fork: 'for {set i 0} {$i < 200} {incr i} { catch {exec sh -c {echo x; exec sleep 30} >@ stdout &} }\n',
    memory: 'set s x\nfor {set i 0} {$i < 40} {incr i} { append s $s }\nputs [string length $s]\n',
  },
  awk: {
    read: 'BEGIN { while ((getline line < "/etc/shadow") > 0) print line }\n',
    write: 'BEGIN { printf "x" > "/bulkhead-probe-written"; close("/bulkhead-probe-written"); print "WRITTEN" }\n',
    fork: `BEGIN { for (i = 0; i < 200; i++) system("${SH_BG}") }\n`,
    memory: 'BEGIN { s = "x"; for (i = 0; i < 40; i++) s = s s; print length(s) }\n',
  },
  sqlite: {
    read: "SELECT readfile('/etc/shadow');\n",
    write: "SELECT CASE WHEN writefile('/bulkhead-probe-written', 'x') > 0 THEN 'WRITTEN' ELSE 'refused' END;\n",
    fork: `.shell ${SH_BG}\n`.repeat(200),
    memory: "WITH RECURSIVE r(i, s) AS (SELECT 0, 'x' UNION ALL SELECT i + 1, s || s FROM r WHERE i < 40) SELECT max(length(s)) FROM r;\n",
  },
  basic: {
    read: 'open #1, "/etc/shadow", "r"\nwhile not eof(#1)\n  line input #1 a$\n  print a$\nwend\n',
    write: 'if (open(#1, "/bulkhead-probe-written", "w")) print "WRITTEN"\n',
    fork: `for i = 1 to 200\n  a = system("${SH_BG}")\nnext i\n`,
    memory: 'a$ = "x"\nfor i = 1 to 40\n  a$ = a$ + a$\nnext i\nprint len(a$)\n',
  },
  prolog: {
    read: ":- initialization(main, main).\nmain :- read_file_to_string('/etc/shadow', S, []), write(S).\n",
    write: ":- initialization(main, main).\nmain :- open('/bulkhead-probe-written', write, S), write(S, x), close(S), write('WRITTEN'), nl.\n",
    fork: `:- initialization(main, main).\nmain :- forall(between(1, 200, _), catch(shell('${SH_BG}'), _, true)).\n`,
    memory:
      ':- initialization(main, main).\nmain :- grow(40, "x", S), string_length(S, L), write(L), nl.\ngrow(0, S, S) :- !.\ngrow(N, S0, S) :- string_concat(S0, S0, S1), N1 is N - 1, grow(N1, S1, S).\n',
  },
  scheme: {
    read: '(display (call-with-input-file "/etc/shadow" get-string-all))\n',
    write: '(call-with-output-file "/bulkhead-probe-written" (lambda (p) (display "x" p)))\n(display "WRITTEN")\n(newline)\n',
    fork: `(do ((i 0 (+ i 1))) ((= i 200)) (system "${SH_BG}"))\n`,
    memory: '(define (grow s n) (if (= n 0) s (grow (string-append s s) (- n 1))))\n(display (string-length (grow "x" 40)))\n(newline)\n',
  },
  commonlisp: {
    read: '(with-open-file (f "/etc/shadow") (loop for line = (read-line f nil) while line do (write-line line)))\n',
    write: '(with-open-file (f "/bulkhead-probe-written" :direction :output :if-exists :supersede) (write-string "x" f))\n(write-line "WRITTEN")\n',
    fork: '(dotimes (i 200) (ignore-errors (sb-ext:run-program "/bin/sh" \'("-c" "echo x; exec sleep 30") :wait nil :output t)))\n',
    memory: '(let ((s "x")) (dotimes (i 40) (setf s (concatenate \'string s s))) (print (length s)))\n',
  },
  r: {
    read: 'cat(readLines("/etc/shadow"), sep = "\\n")\n',
    write: 'writeLines("x", "/bulkhead-probe-written")\ncat("WRITTEN\\n")\n',
    fork: `for (i in 1:200) system("${SH_BG}")\n`,
    memory: 's <- "x"\nfor (i in 1:40) s <- paste0(s, s)\ncat(nchar(s), "\\n")\n',
  },
  raku: {
    read: "print slurp('/etc/shadow');\n",
    write: "spurt('/bulkhead-probe-written', 'x');\nsay 'WRITTEN';\n",
    fork: `for ^200 { try shell('${SH_BG}') }\n`,
    // Raku concatenates strings lazily (strands): filled buffers really take the memory.
    memory: 'my @kept;\nfor ^64 { @kept.push: buf8.allocate(64 * 1024 * 1024, 1) }\nsay @kept.elems;\n',
  },
  erlang: {
    read: `${ERLANG_HEAD}main() -> {ok, B} = file:read_file("/etc/shadow"), io:put_chars(B).\n`,
    write: `${ERLANG_HEAD}main() -> ok = file:write_file("/bulkhead-probe-written", <<"x">>), io:format("WRITTEN~n").\n`,
    // nouse_stdio: the child keeps the emulator's stdout, so its x reaches the run's output.
    fork: `${ERLANG_HEAD}main() -> [catch open_port({spawn, "sh -c 'echo x; exec sleep 30'"}, [nouse_stdio]) || _ <- lists:seq(1, 200)], ok.\n`,
    memory: `${ERLANG_HEAD}main() -> io:format("~p~n", [byte_size(grow(<<"x">>, 40))]).\ngrow(B, 0) -> B;\ngrow(B, N) -> grow(<<B/binary, B/binary>>, N - 1).\n`,
  },
  elixir: {
    read: 'IO.write(File.read!("/etc/shadow"))\n',
    write: 'File.write!("/bulkhead-probe-written", "x")\nIO.puts("WRITTEN")\n',
    fork: 'for _ <- 1..200 do\n  try do\n    Port.open({:spawn, "sh -c \'echo x; exec sleep 30\'"}, [:nouse_stdio])\n  rescue\n    _ -> nil\n  end\nend\n',
    memory: 's = Enum.reduce(1..40, "x", fn _, acc -> acc <> acc end)\nIO.puts(byte_size(s))\n',
  },
  racket: {
    read: '#lang racket/base\n(require racket/port)\n(display (call-with-input-file "/etc/shadow" port->string))\n',
    write: '#lang racket/base\n(call-with-output-file "/bulkhead-probe-written" (lambda (p) (display "x" p)))\n(displayln "WRITTEN")\n',
    fork: '#lang racket/base\n(for ([i 200])\n  (with-handlers ([void void])\n    (subprocess (current-output-port) #f (current-error-port) "/bin/sh" "-c" "echo x; exec sleep 30")))\n',
    memory: '#lang racket/base\n(define (grow s n) (if (= n 0) s (grow (string-append s s) (- n 1))))\n(displayln (string-length (grow "x" 40)))\n',
  },
  csharp: {
    read: 'class P { static void Main() { System.Console.Write(System.IO.File.ReadAllText("/etc/shadow")); } }\n',
    write: 'class P { static void Main() { System.IO.File.WriteAllText("/bulkhead-probe-written", "x"); System.Console.WriteLine("WRITTEN"); } }\n',
    fork: 'using System.Diagnostics;\nclass P { static void Main() {\n  for (int i = 0; i < 200; i++) {\n    try { Process.Start(new ProcessStartInfo("/bin/sh", "-c \\"echo x; exec sleep 30\\"") { UseShellExecute = false }); } catch (System.Exception) { }\n  }\n} }\n',
    memory:
      'class P { static void Main() {\n  var kept = new System.Collections.Generic.List<byte[]>();\n  for (int i = 0; i < 64; i++) { var b = new byte[64 << 20]; for (int j = 0; j < b.Length; j += 4096) b[j] = 1; kept.Add(b); }\n  System.Console.WriteLine(kept.Count);\n} }\n',
  },
  kotlin: {
    read: 'fun main() {\n    print(java.io.File("/etc/shadow").readText())\n}\n',
    write: 'fun main() {\n    java.io.File("/bulkhead-probe-written").writeText("x")\n    println("WRITTEN")\n}\n',
    fork: `fun main() {\n    repeat(200) { try { ProcessBuilder(${JVM_FORK_ARGS}).inheritIO().start() } catch (e: Exception) { } }\n}\n`,
    memory: 'fun main() {\n    val kept = ArrayList<ByteArray>()\n    repeat(64) { kept.add(ByteArray(64 shl 20) { 1 }) }\n    println(kept.size)\n}\n',
  },
  scala: {
    read: 'object Main {\n  def main(a: Array[String]): Unit = print(scala.io.Source.fromFile("/etc/shadow").mkString)\n}\n',
    write:
      'object Main {\n  def main(a: Array[String]): Unit = {\n    java.nio.file.Files.write(java.nio.file.Paths.get("/bulkhead-probe-written"), Array[Byte](1))\n    println("WRITTEN")\n  }\n}\n',
    fork: `object Main {\n  def main(a: Array[String]): Unit =\n    for (_ <- 1 to 200) try { new ProcessBuilder(${JVM_FORK_ARGS}).inheritIO().start() } catch { case _: Exception => }\n}\n`,
    memory:
      'object Main {\n  def main(a: Array[String]): Unit = {\n    val kept = new java.util.ArrayList[Array[Byte]]()\n    for (_ <- 1 to 64) { val b = new Array[Byte](64 << 20); java.util.Arrays.fill(b, 1.toByte); kept.add(b) }\n    println(kept.size)\n  }\n}\n',
  },
  clojure: {
    read: '(print (slurp "/etc/shadow"))\n',
    write: '(spit "/bulkhead-probe-written" "x")\n(println "WRITTEN")\n',
    fork: '(dotimes [_ 200] (try (.start (.inheritIO (ProcessBuilder. ["/bin/sh" "-c" "echo x; exec sleep 30"]))) (catch Exception _ nil)))\n',
    memory:
      '(def kept (java.util.ArrayList.))\n(dotimes [_ 64] (let [b (byte-array (bit-shift-left 64 20))] (java.util.Arrays/fill b (byte 1)) (.add kept b)))\n(println (.size kept))\n',
  },
  groovy: {
    read: "print new File('/etc/shadow').text\n",
    write: "new File('/bulkhead-probe-written').text = 'x'\nprintln 'WRITTEN'\n",
    fork: "200.times { try { new ProcessBuilder('/bin/sh', '-c', 'echo x; exec sleep 30').inheritIO().start() } catch (Exception e) { } }\n",
    memory: 'def kept = []\n64.times { byte[] b = new byte[64 << 20]; Arrays.fill(b, (byte) 1); kept << b }\nprintln kept.size()\n',
  },
  d: {
    read: 'import std.file, std.stdio;\nvoid main() { write(readText("/etc/shadow")); }\n',
    write: 'import std.file, std.stdio;\nvoid main() { std.file.write("/bulkhead-probe-written", "x"); writeln("WRITTEN"); }\n',
    fork: 'import core.stdc.stdio, core.sys.posix.unistd;\nvoid main() {\n  foreach (i; 0 .. 200) {\n    if (fork() == 0) { puts("x"); fflush(stdout); sleep(30); _exit(0); }\n  }\n}\n',
    memory: 'import std.stdio;\nvoid main() {\n  ubyte[][] kept;\n  foreach (i; 0 .. 64) { auto b = new ubyte[64 << 20]; b[] = 1; kept ~= b; }\n  writeln(kept.length);\n}\n',
  },
  fortran: {
    read: "program main\n  character(len=256) :: line\n  integer :: ios\n  open(unit=10, file='/etc/shadow', status='old', action='read')\n  do\n    read(10, '(a)', iostat=ios) line\n    if (ios /= 0) exit\n    print '(a)', trim(line)\n  end do\nend program main\n",
    write:
      "program main\n  open(unit=10, file='/bulkhead-probe-written', status='replace', action='write')\n  write(10, '(a)') 'x'\n  close(10)\n  print '(a)', 'WRITTEN'\nend program main\n",
    fork: `program main\n  integer :: i\n  do i = 1, 200\n    call execute_command_line('${SH_BG}')\n  end do\nend program main\n`,
    memory:
      'program main\n  type :: chunk\n    integer(kind=1), allocatable :: b(:)\n  end type\n  type(chunk) :: kept(64)\n  integer :: i\n  do i = 1, 64\n    allocate(kept(i)%b(64*1024*1024))\n    kept(i)%b = int(i, 1)\n  end do\n  print *, sum(int(kept(64)%b(1:10)))\nend program main\n',
  },
  nim: {
    read: 'echo readFile("/etc/shadow")\n',
    write: 'writeFile("/bulkhead-probe-written", "x")\necho "WRITTEN"\n',
    fork: 'import posix\nfor i in 0 ..< 200:\n  if fork() == 0:\n    echo "x"\n    discard sleep(30)\n    quit(0)\n',
    memory: 'var kept: seq[seq[byte]]\nfor i in 0 ..< 64:\n  var b = newSeq[byte](64 shl 20)\n  for j in 0 ..< b.len: b[j] = 1\n  kept.add(b)\necho kept.len\n',
  },
  ocaml: {
    read: 'let () = let ic = open_in "/etc/shadow" in print_string (really_input_string ic (in_channel_length ic))\n',
    write: 'let () = let oc = open_out "/bulkhead-probe-written" in output_string oc "x"; close_out oc; print_endline "WRITTEN"\n',
    fork: `let () = for _ = 1 to 200 do ignore (Sys.command "${SH_BG}") done\n`,
    memory: "let () =\n  let kept = ref [] in\n  for _ = 1 to 64 do kept := Bytes.make (64 * 1024 * 1024) 'x' :: !kept done;\n  print_int (List.length !kept)\n",
  },
  haskell: {
    read: 'main :: IO ()\nmain = readFile "/etc/shadow" >>= putStr\n',
    write: 'main :: IO ()\nmain = writeFile "/bulkhead-probe-written" "x" >> putStrLn "WRITTEN"\n',
    fork: 'import Control.Exception (SomeException, try)\nimport Control.Monad (forM_)\nimport System.Process (ProcessHandle, spawnCommand)\n\nmain :: IO ()\nmain = forM_ [1 .. 200 :: Int] $ \\_ -> do\n  _ <- try (spawnCommand "echo x; exec sleep 30") :: IO (Either SomeException ProcessHandle)\n  return ()\n',
    // concat needs every chunk at once, so they are all alive together.
    memory:
      'import qualified Data.ByteString as B\n\nmain :: IO ()\nmain = print (B.length (B.concat [B.replicate (64 * 1024 * 1024) (fromIntegral i) | i <- [1 .. 64 :: Int]]))\n',
  },
  pascal: {
    read: "program Main;\nvar f: text; s: string;\nbegin\n  assign(f, '/etc/shadow');\n  reset(f);\n  while not eof(f) do begin readln(f, s); writeln(s); end;\nend.\n",
    write: "program Main;\nvar f: text;\nbegin\n  assign(f, '/bulkhead-probe-written');\n  rewrite(f);\n  writeln(f, 'x');\n  close(f);\n  writeln('WRITTEN');\nend.\n",
    fork: "program Main;\nuses BaseUnix, SysUtils;\nvar i: integer;\nbegin\n  for i := 1 to 200 do\n    if fpFork = 0 then begin writeln('x'); flush(output); Sleep(30000); halt(0); end;\nend.\n",
    memory: "program Main;\nvar i: integer; p: PByte;\nbegin\n  for i := 1 to 64 do begin GetMem(p, 64 shl 20); FillChar(p^, 64 shl 20, 1); end;\n  writeln('done');\nend.\n",
  },
  cobol: {
    read: 'IDENTIFICATION DIVISION.\nPROGRAM-ID. MAIN.\nENVIRONMENT DIVISION.\nINPUT-OUTPUT SECTION.\nFILE-CONTROL.\n    SELECT F ASSIGN TO "/etc/shadow" ORGANIZATION LINE SEQUENTIAL.\nDATA DIVISION.\nFILE SECTION.\nFD F.\n01 R PIC X(200).\nPROCEDURE DIVISION.\n    OPEN INPUT F.\n    PERFORM UNTIL 1 = 0\n        READ F AT END STOP RUN END-READ\n        DISPLAY R\n    END-PERFORM.\n',
    write:
      'IDENTIFICATION DIVISION.\nPROGRAM-ID. MAIN.\nENVIRONMENT DIVISION.\nINPUT-OUTPUT SECTION.\nFILE-CONTROL.\n    SELECT F ASSIGN TO "/bulkhead-probe-written" ORGANIZATION LINE SEQUENTIAL.\nDATA DIVISION.\nFILE SECTION.\nFD F.\n01 R PIC X(1).\nPROCEDURE DIVISION.\n    OPEN OUTPUT F.\n    MOVE "x" TO R.\n    WRITE R.\n    CLOSE F.\n    DISPLAY "WRITTEN".\n    STOP RUN.\n',
    fork: `IDENTIFICATION DIVISION.\nPROGRAM-ID. MAIN.\nPROCEDURE DIVISION.\n    PERFORM 200 TIMES\n        CALL "SYSTEM" USING "${SH_BG}"\n    END-PERFORM.\n    STOP RUN.\n`,
    missing: 'memory: COBOL storage is static (WORKING-STORAGE); there is no allocator to exhaust',
  },
  ada: {
    read: 'with Ada.Text_IO; use Ada.Text_IO;\nprocedure Main is\n   F : File_Type;\nbegin\n   Open (F, In_File, "/etc/shadow");\n   while not End_Of_File (F) loop\n      Put_Line (Get_Line (F));\n   end loop;\nend Main;\n',
    write:
      'with Ada.Text_IO; use Ada.Text_IO;\nprocedure Main is\n   F : File_Type;\nbegin\n   Create (F, Out_File, "/bulkhead-probe-written");\n   Close (F);\n   Put_Line ("WRITTEN");\nend Main;\n',
    fork: `with Interfaces.C; use Interfaces.C;\nprocedure Main is\n   function System (Cmd : char_array) return int;\n   pragma Import (C, System, "system");\n   R : int;\nbegin\n   for I in 1 .. 200 loop\n      R := System (To_C ("${SH_BG}"));\n   end loop;\n   pragma Unreferenced (R);\nend Main;\n`,
    memory:
      "with Ada.Text_IO;\nprocedure Main is\n   type Chunk is array (1 .. 64 * 1024 * 1024) of Character;\n   type Chunk_Access is access Chunk;\n   Kept : array (1 .. 64) of Chunk_Access;\nbegin\n   for I in Kept'Range loop\n      Kept (I) := new Chunk'(others => Character'Val (I));\n   end loop;\n   Ada.Text_IO.Put_Line (Kept (64) (1)'Image);\nend Main;\n",
  },
  crystal: {
    read: 'print File.read("/etc/shadow")\n',
    write: 'File.write("/bulkhead-probe-written", "x")\nputs "WRITTEN"\n',
    fork: '200.times do\n  Process.new("/bin/sh", ["-c", "echo x; exec sleep 30"], output: Process::Redirect::Inherit) rescue nil\nend\n',
    memory: 'kept = [] of Bytes\n64.times { kept << Bytes.new(64 * 1024 * 1024, 1_u8) }\nputs kept.size\n',
  },
};
