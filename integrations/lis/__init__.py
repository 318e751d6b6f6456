"""The LIS: lab reports pushed to our webhook or polled from the lab, stored in the cabinet."""
