(display (car '()))
(newline)
