(format t "~a~%" (car 5))
