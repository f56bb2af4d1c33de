procedure Main is
begin
   raise Constraint_Error;
end Main;
