program Main;
begin
  writeln(undeclared);
end.
