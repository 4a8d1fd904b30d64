// Reserved for the AgnesClient library; it is filled by later issues (see README.md, "Layout").
