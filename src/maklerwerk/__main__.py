from maklerwerk.cli import main

main()
