/**
 * A hello-world program per language, shown when a language is picked with an untouched editor.
 * Keyed by canonical name or alias; a language without one gets a neutral comment-free line.
 */
const C = '#include <stdio.h>\n\nint main(void) {\n    printf("Hello, world!\\n");\n    return 0;\n}\n';
const CPP = '#include <iostream>\n\nint main() {\n    std::cout << "Hello, world!\\n";\n    return 0;\n}\n';
const PYTHON = 'print("Hello, world!")\n';
const JS = 'console.log("Hello, world!");\n';
const SHELL = 'echo "Hello, world!"\n';
const LISP = '(format t "Hello, world!~%")\n';
const SCHEME = '(display "Hello, world!")\n(newline)\n';

const TEMPLATES: Readonly<Record<string, string>> = {
  c: C,
  cpp: CPP,
  'c++': CPP,
  python: PYTHON,
  pypy: PYTHON,
  java: 'public class Main {\n    public static void main(String[] args) {\n        System.out.println("Hello, world!");\n    }\n}\n',
  javascript: JS,
  typescript: 'const greeting: string = "Hello, world!";\nconsole.log(greeting);\n',
  go: 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("Hello, world!")\n}\n',
  rust: 'fn main() {\n    println!("Hello, world!");\n}\n',
  ruby: 'puts "Hello, world!"\n',
  bash: SHELL,
  sh: SHELL,
  kotlin: 'fun main() {\n    println("Hello, world!")\n}\n',
  scala: 'object Main {\n  def main(args: Array[String]): Unit =\n    println("Hello, world!")\n}\n',
  csharp: 'using System;\n\nclass Program {\n    static void Main() {\n        Console.WriteLine("Hello, world!");\n    }\n}\n',
  dart: "void main() {\n  print('Hello, world!');\n}\n",
  swift: 'print("Hello, world!")\n',
  haskell: 'main :: IO ()\nmain = putStrLn "Hello, world!"\n',
  ocaml: 'let () = print_endline "Hello, world!"\n',
  fsharp: 'printfn "Hello, world!"\n',
  lua: 'print("Hello, world!")\n',
  perl: 'use strict;\nuse warnings;\n\nprint "Hello, world!\\n";\n',
  php: '<?php\necho "Hello, world!\\n";\n',
  r: 'cat("Hello, world!\\n")\n',
  julia: 'println("Hello, world!")\n',
  erlang: '-module(main).\n-export([main/0]).\n\nmain() ->\n    io:format("Hello, world!~n").\n',
  elixir: 'IO.puts("Hello, world!")\n',
  clojure: '(println "Hello, world!")\n',
  'common-lisp': LISP,
  commonlisp: LISP,
  lisp: LISP,
  sbcl: LISP,
  scheme: SCHEME,
  racket: '#lang racket\n(displayln "Hello, world!")\n',
  guile: SCHEME,
  pascal: "program Hello;\nbegin\n  writeln('Hello, world!');\nend.\n",
  fortran: "program hello\n  print '(a)', 'Hello, world!'\nend program hello\n",
  d: 'import std.stdio;\n\nvoid main() {\n    writeln("Hello, world!");\n}\n',
  groovy: 'println "Hello, world!"\n',
  crystal: 'puts "Hello, world!"\n',
  nim: 'echo "Hello, world!"\n',
  zig: 'const std = @import("std");\n\npub fn main() !void {\n    try std.io.getStdOut().writer().print("Hello, world!\\n", .{});\n}\n',
  octave: 'disp("Hello, world!")\n',
  tcl: 'puts "Hello, world!"\n',
  sqlite: "SELECT 'Hello, world!';\n",
  sql: "SELECT 'Hello, world!';\n",
  'objective-c': '#import <Foundation/Foundation.h>\n\nint main(void) {\n    printf("Hello, world!\\n");\n    return 0;\n}\n',
  prolog: ":- initialization(main, main).\n\nmain :-\n    write('Hello, world!'),\n    nl.\n",
  ada: 'with Ada.Text_IO;\n\nprocedure Main is\nbegin\n   Ada.Text_IO.Put_Line ("Hello, world!");\nend Main;\n',
  assembly:
    'section .data\n    greeting db "Hello, world!", 10\n    length equ $ - greeting\n\nsection .text\n    global _start\n\n_start:\n' +
    '    mov rax, 1          ; write\n    mov rdi, 1          ; stdout\n    lea rsi, [rel greeting]\n    mov rdx, length\n    syscall\n' +
    '    mov rax, 60         ; exit\n    xor rdi, rdi\n    syscall\n',
  awk: 'BEGIN {\n    print "Hello, world!"\n}\n',
  basic: 'print "Hello, world!"\n',
  raku: 'say "Hello, world!";\n',
  cobol: '       IDENTIFICATION DIVISION.\n       PROGRAM-ID. MAIN.\n       PROCEDURE DIVISION.\n           DISPLAY "Hello, world!".\n           STOP RUN.\n',
  brainfuck: '++++++++[>++++[>++>+++>+++>+<<<<-]>+>+>->>+[<]<-]>>.>---.+++++++..+++.>>.<-.<.+++.------.--------.>>+.\n',
};

/** The hello-world program for a language (by name, then aliases). */
export function helloTemplate(name: string, aliases: readonly string[] = []): string {
  for (const n of [name, ...aliases]) {
    const template = TEMPLATES[n.toLowerCase()];
    if (template !== undefined) return template;
  }
  return '';
}

/** True when `source` is one of the templates (or empty): switching language may replace it. */
export function isTemplate(source: string): boolean {
  return source.trim() === '' || Object.values(TEMPLATES).includes(source);
}
