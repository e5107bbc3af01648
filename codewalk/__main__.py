from codewalk.cli.main import main

raise SystemExit(main())
