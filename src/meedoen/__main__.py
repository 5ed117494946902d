from meedoen.cli import main

main()
