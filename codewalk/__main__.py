from codewalk.cli.main import program

program()
