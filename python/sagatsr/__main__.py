from sagatsr.cli import main

main()
