#lang racket/base
(displayln (car '()))
