program main
  print '(a)', 'Hello, world!'
end program main
