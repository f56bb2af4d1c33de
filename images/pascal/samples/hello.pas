program Main;
begin
  writeln('Hello, world!');
end.
