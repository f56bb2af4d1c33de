say "Hello, world!";
