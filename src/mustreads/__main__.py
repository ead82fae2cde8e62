from mustreads.cli import main

main()
