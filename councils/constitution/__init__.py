"""The federation's constitution: its versions, amendments and what each rule means.

Owns the versioned document every accountability rule reads its numbers from.
A new version is made only by the outcome of a vote of the top council that met
the amendment threshold the current version sets; nothing else may write one.
"""
