# Conveniences only: the commands that count are `python tasks.py run` and `python tasks.py test`.
.PHONY: run test bench
run:
	python3 tasks.py run
test:
	python3 tasks.py test
bench:
	python3 tasks.py test --co -q >/dev/null && .venv/bin/python bench/bench_model.py
