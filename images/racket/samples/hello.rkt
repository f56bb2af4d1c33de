#lang racket/base
(displayln "Hello, world!")
