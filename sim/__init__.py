"""Golden model, cycle-accurate models and the workload CLI of the QRazor reference hardware."""
