:- initialization(main, main).
main :- write('Hello, world!'), nl.
