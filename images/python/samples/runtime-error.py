def main():
    raise ValueError("runtime error sample")


main()
