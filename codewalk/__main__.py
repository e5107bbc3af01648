from codewalk.cli.main import entry

entry()
