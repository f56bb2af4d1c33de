program main
  integer :: x
  x = 
end program main
