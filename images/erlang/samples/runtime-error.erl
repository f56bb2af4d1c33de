-module(main).
-export([main/0]).
main() -> io:format("~p~n", [list_to_integer("x")]).
