from codewalk.cli import main

raise SystemExit(main())
